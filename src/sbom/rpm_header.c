/* rpm_header.c - being written (placeholder so the tree builds). */
