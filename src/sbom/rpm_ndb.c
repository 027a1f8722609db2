/* rpm_ndb.c - being written (placeholder so the tree builds). */
