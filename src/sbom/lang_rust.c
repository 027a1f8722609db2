/* lang_rust.c - being written (placeholder so the tree builds). */
