complete --keep-order --exclusive --command kubectl-kruise --arguments "(COMPLETE=fish kubectl-kruise -- (commandline --current-process --tokenize --cut-at-cursor) (commandline --current-token))"
