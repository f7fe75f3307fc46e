package main

import (
	"strings"
	"time"

	"github.com/indigo-warehouse/indigo/bot/wechat"
	"github.com/indigo-warehouse/indigo/conversations"
)

// WeChat's template messages (README, "WeChat template messages"): one
// variable per notice kind, WECHAT_TEMPLATE_<KIND> = "<template id>
// <key>=<field> …", and how often one kind may reach a follower.

// minTemplateEvery keeps a follower from getting a template of one kind
// more than once a minute, whatever the setting.
const minTemplateEvery = time.Minute

func loadWeChatTemplates(env func(name, def string) string, bad func(name, format string, args ...any)) (map[conversations.NoticeKind]wechat.Template, time.Duration) {
	kinds := map[conversations.NoticeKind]wechat.Template{}
	for _, kind := range conversations.AllNoticeKinds() {
		name := templateVar(kind)
		spec := env(name, "")
		if spec == "" {
			continue
		}
		tpl, err := wechat.ParseTemplate(kind, spec)
		if err != nil {
			bad(name, "%v; want \"<template id> <key>=<field> …\" such as \"Abc123 thing1=title character_string2=return\"", err)
			continue
		}
		kinds[kind] = tpl
	}
	every, err := time.ParseDuration(env("WECHAT_TEMPLATE_EVERY", "24h"))
	if err != nil || every < minTemplateEvery {
		bad("WECHAT_TEMPLATE_EVERY", "want a duration of at least %v such as 24h, got %q", minTemplateEvery, env("WECHAT_TEMPLATE_EVERY", ""))
	}
	return kinds, every
}

// templateVar names the variable of a kind's template: WECHAT_TEMPLATE_PICKUP_CODE.
func templateVar(kind conversations.NoticeKind) string {
	return "WECHAT_TEMPLATE_" + strings.ToUpper(string(kind))
}
