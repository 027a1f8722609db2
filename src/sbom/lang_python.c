/* lang_python.c - being written (placeholder so the tree builds). */
