package domain

// countryOfZone maps the time zones of the countries Indigo's sellers ship
// from to their ISO codes. The profile keeps no country field yet, and a
// seller's time zone is the one place the chat learned where they are.
var countryOfZone = map[string]string{
	"Asia/Shanghai": "CN", "Asia/Urumqi": "CN", "Asia/Chongqing": "CN", "Asia/Harbin": "CN",
	"Asia/Hong_Kong": "HK", "Asia/Macau": "MO", "Asia/Taipei": "TW",
	"Europe/Moscow": "RU", "Europe/Samara": "RU", "Asia/Yekaterinburg": "RU", "Asia/Novosibirsk": "RU",
	"Asia/Krasnoyarsk": "RU", "Asia/Irkutsk": "RU", "Asia/Vladivostok": "RU", "Europe/Kaliningrad": "RU",
	"Asia/Almaty": "KZ", "Asia/Aqtobe": "KZ", "Asia/Qostanay": "KZ",
	"Europe/Minsk": "BY", "Asia/Bishkek": "KG", "Asia/Tashkent": "UZ", "Asia/Yerevan": "AM",
	"Europe/Istanbul": "TR", "Asia/Dubai": "AE",
}

// SellerCountry is the country a seller's returns ship to, as far as
// Indigo can tell, or ZoneAny when it cannot.
func SellerCountry(s *Seller) string {
	if s == nil {
		return ZoneAny
	}
	if c, ok := countryOfZone[s.TimeZone]; ok {
		return c
	}
	return ZoneAny
}
