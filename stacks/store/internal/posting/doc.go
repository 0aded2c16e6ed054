// Package posting holds what every store of the lab does alike with a transaction on the shared
// schema, whatever its database library: the accounts the transaction names (locked in this
// order), its postings as the schema's three parallel arrays, the records a decision produces,
// and the check that a decision only changes accounts the store locked.
package posting
