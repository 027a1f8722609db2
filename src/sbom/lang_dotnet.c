/* lang_dotnet.c - being written (placeholder so the tree builds). */
