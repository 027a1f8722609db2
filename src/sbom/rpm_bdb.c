/* rpm_bdb.c - being written (placeholder so the tree builds). */
