/* lang_rustbin.c - being written (placeholder so the tree builds). */
