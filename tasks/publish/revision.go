package publish

import "strconv"

// older reports whether listed (the asset revision a listing shows) is older than current (the
// asset's revision). DataZone revisions are decimal strings; anything else that differs counts
// as older, so that it is published.
func older(listed, current string) bool {
	l, lerr := strconv.Atoi(listed)
	c, cerr := strconv.Atoi(current)
	if lerr != nil || cerr != nil {
		return listed != current
	}
	return l < c
}
