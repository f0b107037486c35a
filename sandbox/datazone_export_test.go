package sandbox

// ChangeGlueTableForTest changes a catalog table's columns and bumps its version, as a crawl that
// found a new schema would. It lets external tests drive SUCCEEDED_UPDATED imports.
func ChangeGlueTableForTest(s *Sandbox, db, table string, columns []GlueColumn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.glueTable(db, table)
	if !ok {
		return false
	}
	t.Columns = append([]GlueColumn(nil), columns...)
	t.VersionID++
	t.UpdateTime = s.now()
	return true
}
