/* write_json.c - being written (placeholder so the tree builds). */
