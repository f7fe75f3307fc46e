package domain

// profile.go: the rules of a seller's profile (manual §5), one place for
// the chat and the web view alike.

// Return address bounds, in characters.
const (
	MinReturnAddress = 10
	MaxReturnAddress = 500
)

// CheckReturnAddress refuses an address too short to ship to or too long
// to be one.
func CheckReturnAddress(addr string) error {
	if n := len([]rune(addr)); n < MinReturnAddress || n > MaxReturnAddress {
		return Errorf(CodeInvalid, "error.profile.bad_address", nil)
	}
	return nil
}

// CheckDocumentSize refuses a legal document larger than Indigo keeps.
func CheckDocumentSize(size int64) error {
	if size > MaxAttachmentSize {
		return Errorf(CodeInvalid, "error.input.too_large", map[string]any{"MaxMB": MaxAttachmentSize >> 20})
	}
	return nil
}
