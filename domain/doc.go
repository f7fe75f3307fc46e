// Package domain is Indigo's vocabulary: returns and their lifecycle,
// sellers, stores, attachments, the audit log and the error type every edge
// understands. It imports no package of Indigo's; every other package
// imports it.
package domain
