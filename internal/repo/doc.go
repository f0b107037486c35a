// Package repo finds the repository's root folder (the one holding go.mod), for the development
// tools and test helpers that read the project's example files.
package repo
