/* write_table.c - being written (placeholder so the tree builds). */
