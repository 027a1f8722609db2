/* write_spdx.c - being written (placeholder so the tree builds). */
