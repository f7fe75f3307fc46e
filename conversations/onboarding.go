package conversations

import (
	"regexp"
	"strings"

	"github.com/looplab/fsm"

	"github.com/indigo-warehouse/indigo/domain"
)

// onboarding.go: a new seller's first minutes (/start): language, terms,
// name or company, an optional phone; then straight into adding a store.
const (
	onboardingLanguage = "onboarding.language"
	onboardingTerms    = "onboarding.terms"
	onboardingName     = "onboarding.name"
	onboardingPhone    = "onboarding.phone"
)

func onboardingModule() Module {
	return Module{Name: "onboarding", Flows: []*Flow{&onboardingFlow}}
}

var onboardingFlow = Flow{
	Name:  "onboarding",
	Start: onboardingLanguage,
	Transitions: fsm.Events{
		{Name: "picked", Src: []string{onboardingLanguage}, Dst: onboardingTerms},
		{Name: "accepted", Src: []string{onboardingTerms}, Dst: onboardingName},
		{Name: "named", Src: []string{onboardingName}, Dst: onboardingPhone},
		{Name: "registered", Src: []string{onboardingPhone}, Dst: Idle},
	},
	Steps: map[string]Step{
		onboardingLanguage: {Ask: askLanguage, Read: readLanguage},
		onboardingTerms:    {Ask: askTerms, Read: readTerms, Wants: inChoice},
		onboardingName:     {Ask: askName, Read: readName, Wants: inText},
		onboardingPhone:    {Ask: askPhone, Read: readPhone, Wants: inContact | inChoice | inPhone},
	},
}

func languageChoices() []Choice {
	var cs []Choice
	for _, l := range domain.AllLanguages() {
		cs = append(cs, Choice{Value: string(l), Label: "language." + string(l)})
	}
	return cs
}

func askLanguage(t *Turn) error {
	t.Ask("flow.onboarding.language", nil, languageChoices()...)
	return nil
}

func readLanguage(t *Turn) (string, error) {
	lang, ok := pickLanguage(t)
	if !ok {
		return "", domain.Errorf(domain.CodeInvalid, "error.input.expected_choice", nil)
	}
	t.s.Data["lang"] = string(lang)
	t.speak(lang)
	return "picked", nil
}

// pickLanguage accepts a button or the language typed by name or code.
func pickLanguage(t *Turn) (domain.Language, bool) {
	in := strings.ToLower(t.Chosen() + t.Text())
	for _, l := range domain.AllLanguages() {
		if in == string(l) || in == strings.ToLower(t.e.Locales.For(string(l)).T("language."+string(l))) {
			return l, true
		}
	}
	return "", false
}

func askTerms(t *Turn) error {
	t.Ask("flow.onboarding.terms", nil, Choice{Value: "accept", Label: "button.accept"})
	return nil
}

func readTerms(t *Turn) (string, error) {
	if t.Chosen() == "accept" {
		return "accepted", nil
	}
	return "", nil
}

func askName(t *Turn) error {
	t.Say("flow.onboarding.name")
	return nil
}

func readName(t *Turn) (string, error) {
	name := t.Text()
	if name == "" || len(t.in.Files) > 0 {
		return "", domain.Errorf(domain.CodeInvalid, "error.input.expected_text", nil)
	}
	if len([]rune(name)) > 200 {
		return "", domain.Errorf(domain.CodeInvalid, "error.input.too_long", map[string]any{"Max": 200})
	}
	t.s.Data["name"] = name
	return "named", nil
}

// phoneShape is a typed phone number: digits with the usual separators,
// 6 to 15 digits as E.164 allows, an optional leading plus.
var phoneShape = regexp.MustCompile(`^\+?[0-9][0-9 ()\-]{4,22}[0-9]$`)

func askPhone(t *Turn) error {
	r := t.Ask("flow.onboarding.phone", nil, Choice{Value: "skip", Label: "button.skip"})
	r.ContactButton = t.T("button.share_phone")
	return nil
}

// readPhone ends onboarding: the seller is created with this chat's
// identity, in the language they picked, and adds a store next.
func readPhone(t *Turn) (string, error) {
	phone := t.in.Contact
	if phone == "" && t.kind() == inPhone {
		phone = t.Text() // typed: WeChat has no contact button
	}
	if phone == "" && t.Chosen() != "skip" {
		return "", nil
	}
	lang := domain.Language(t.s.Data["lang"])
	seller := &domain.Seller{
		Name:       t.s.Data["name"],
		Phone:      phone,
		Language:   lang,
		QuietHours: true, // nights stay quiet unless the seller says otherwise
		Identities: []domain.Identity{{Channel: t.in.Channel, ExternalID: t.in.UserID}},
	}
	if err := t.e.Sellers.CreateSeller(t.ctx, seller); err != nil {
		return "", errInternal(err)
	}
	t.s.SellerID = seller.ID
	delete(t.s.Data, "lang") // the seller's row holds it from now on
	if err := t.loadSeller(); err != nil {
		return "", errInternal(err)
	}
	t.Say("flow.onboarding.welcome", map[string]any{"Name": seller.Name})
	t.Then(storeFlow.Name)
	return "registered", nil
}
