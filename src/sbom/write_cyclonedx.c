/* write_cyclonedx.c - being written (placeholder so the tree builds). */
