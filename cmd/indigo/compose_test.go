package main

import (
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// composeFile is the part of the Compose specification compose.yaml uses.
type composeFile struct {
	Services map[string]struct {
		Image       string            `yaml:"image"`
		Build       any               `yaml:"build"`
		Environment map[string]string `yaml:"environment"`
		Volumes     []string          `yaml:"volumes"`
		DependsOn   map[string]struct {
			Condition string `yaml:"condition"`
		} `yaml:"depends_on"`
		Healthcheck struct {
			Test []string `yaml:"test"`
		} `yaml:"healthcheck"`
	} `yaml:"services"`
	Volumes map[string]any `yaml:"volumes"`
}

// TestComposeFile: compose.yaml runs PostgreSQL and Indigo, each with a
// health check, Indigo only once the database is healthy, the data in a
// named volume, every variable one Indigo reads, and no secret written in
// the file: each comes from the environment.
func TestComposeFile(t *testing.T) {
	raw, err := os.ReadFile("../../compose.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var c composeFile
	if err := yaml.Unmarshal(raw, &c); err != nil {
		t.Fatalf("compose.yaml: %v", err)
	}
	pg, indigo := c.Services["postgres"], c.Services["indigo"]
	if pg.Image == "" || indigo.Build == nil {
		t.Fatalf("want a postgres image and indigo built from the Dockerfile: %+v", c.Services)
	}
	for name, s := range c.Services {
		if len(s.Healthcheck.Test) < 2 {
			t.Errorf("service %s has no health check", name)
		}
	}
	if got := indigo.Healthcheck.Test; !slices.Equal(got, []string{"CMD", "/usr/local/bin/indigo", "healthcheck"}) {
		t.Errorf("indigo's health check = %q, want the binary's own healthcheck (the image has no curl)", got)
	}
	if indigo.DependsOn["postgres"].Condition != "service_healthy" {
		t.Error("indigo does not wait for a healthy database")
	}
	if len(pg.Volumes) == 0 || c.Volumes[strings.SplitN(pg.Volumes[0], ":", 2)[0]] == nil && !strings.HasSuffix(pg.Volumes[0], "/var/lib/postgresql/data") {
		t.Errorf("the database's data is not in a named volume: %q", pg.Volumes)
	}

	read := map[string]bool{}
	_, _ = LoadConfig(func(name string) string { read[name] = true; return "" })
	for name := range indigo.Environment {
		if !read[name] {
			t.Errorf("compose sets %s, which Indigo does not read", name)
		}
	}
	for _, leak := range literalSecrets(c) {
		t.Errorf("%s holds a literal secret; take it from the environment (${NAME})", leak)
	}
	for _, leak := range secretShapes {
		if m := leak.FindString(string(raw)); m != "" {
			t.Errorf("compose.yaml holds what looks like a secret: %q", m)
		}
	}
}

// TestComposeSecretCheck: the check above does catch a literal secret.
func TestComposeSecretCheck(t *testing.T) {
	var c composeFile
	if err := yaml.Unmarshal([]byte(`services:
  indigo:
    environment:
      DATABASE_URL: postgres://indigo:hunter2@postgres/indigo
      INDIGO_SECRET_KEY: abc
      TELEGRAM_BOT_TOKEN: ${TELEGRAM_BOT_TOKEN:-}
      LOG_LEVEL: info
`), &c); err != nil {
		t.Fatal(err)
	}
	got := literalSecrets(c)
	slices.Sort(got)
	if want := []string{"indigo: DATABASE_URL", "indigo: INDIGO_SECRET_KEY"}; !slices.Equal(got, want) {
		t.Errorf("literalSecrets = %q, want %q", got, want)
	}
}

// literalSecrets names each secret variable whose value is written in the
// file rather than interpolated from the environment.
func literalSecrets(c composeFile) []string {
	var out []string
	for name, s := range c.Services {
		for key, value := range s.Environment {
			if !secretName.MatchString(key) {
				continue
			}
			rest := interpolated.ReplaceAllString(value, "")
			literal := rest != ""
			if key == "DATABASE_URL" {
				u, err := url.Parse(rest)
				literal = err != nil
				if err == nil {
					pw, _ := u.User.Password() // nil-safe: no user at all
					literal = pw != ""
				}
			}
			if literal {
				out = append(out, name+": "+key)
			}
		}
	}
	return out
}

var (
	secretName   = regexp.MustCompile(`PASSWORD|SECRET|TOKEN|_KEY|DATABASE_URL`)
	interpolated = regexp.MustCompile(`\$\{[A-Z_]+(:?[-?][^}]*)?\}`)
	// A bot token, 32 bytes in base64 or hex, a JWT (WB's tokens).
	secretShapes = []*regexp.Regexp{
		regexp.MustCompile(`\d{6,}:[A-Za-z0-9_-]{30,}`),
		regexp.MustCompile(`[A-Za-z0-9+/]{42,}={0,2}`),
		regexp.MustCompile(`\b[0-9a-f]{64}\b`),
		regexp.MustCompile(`eyJ[A-Za-z0-9_-]{10,}`),
	}
)
