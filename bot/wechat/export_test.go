package wechat

// FitValue is fitValue, for the external tests of WeChat's field rules.
var FitValue = fitValue
