/* lang_php.c - being written (placeholder so the tree builds). */
