// Package wb is Indigo's client for the Wildberries seller API: token intake
// checks, buyer return claims, the goods-return report, FBS orders, supplies,
// passes, warehouses and stocks, and product cards. It paces every request
// per seller and limit group the way WB documents, retries what is safe to
// retry, and turns WB's several error bodies into typed errors.
//
// It imports only domain from Indigo. Nothing here knows that wb/wbfake
// exists: pointing Config.BaseURL at it is the only switch.
//
// A token is a secret: it goes into the Authorization header and nowhere
// else. No error, log line or panic message built here contains one; use
// TokenHint to name a token to a person.
package wb
