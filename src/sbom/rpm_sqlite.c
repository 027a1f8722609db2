/* rpm_sqlite.c - being written (placeholder so the tree builds). */
