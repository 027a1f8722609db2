/* lang_java.c - being written (placeholder so the tree builds). */
