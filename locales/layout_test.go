package locales

import "testing"

// TestLayout: the pieces cards and lists are built from, per language.
func TestLayout(t *testing.T) {
	b := mustBundle(t)
	for _, tt := range []struct {
		lang, got, want string
	}{
		{"en", b.For("en").Field("Defect claim?", "No"), "Defect claim?: No"},
		{"zh", b.For("zh").Field("缺陷商品？", "否"), "缺陷商品？：否"},
		{"ru", b.For("ru").Field("Брак?", "Нет"), "Брак?: Нет"},
		{"en", b.For("en").Join("R-1", "", "Sneakers"), "R-1 · Sneakers"},
		{"zh", b.For("zh").WithCount("待决定", 3), "待决定（3）"},
		{"ru", b.For("ru").WithCount("В пути", 12), "В пути (12)"},
		{"en", b.For("en").Toggle("Arrivals", true), "✅ Arrivals"},
		{"en", b.For("en").Bullet("one"), "• one"},
	} {
		if tt.got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.lang, tt.got, tt.want)
		}
	}
}
