/* lang_gobin.c - being written (placeholder so the tree builds). */
