# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_kubectl_kruise_global_optspecs
    string join \n kubeconfig= context= cluster= user= n/namespace= request-timeout= h/help V/version
end

function __fish_kubectl_kruise_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_kubectl_kruise_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_kubectl_kruise_using_subcommand
    set -l cmd (__fish_kubectl_kruise_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c kubectl-kruise -n "__fish_kubectl_kruise_needs_command" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, a list merged as kubectl does, then ~/.kube/config)' -r -F
complete -c kubectl-kruise -n "__fish_kubectl_kruise_needs_command" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_needs_command" -l cluster -d 'The kubeconfig cluster to use' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_needs_command" -l user -d 'The kubeconfig user to use' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_needs_command" -s n -l namespace -d 'Namespace (default: the context\'s namespace, then "default")' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_needs_command" -l request-timeout -d 'How long to wait for one API request, e.g. 10s, 1m; 0 waits forever' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_needs_command" -s h -l help -d 'Print help'
complete -c kubectl-kruise -n "__fish_kubectl_kruise_needs_command" -s V -l version -d 'Print version'
complete -c kubectl-kruise -n "__fish_kubectl_kruise_needs_command" -f -a "rollout" -d 'Manage Kruise Rollouts: approve, pause, resume, undo, status, history, list'
complete -c kubectl-kruise -n "__fish_kubectl_kruise_needs_command" -f -a "completion" -d 'Print a shell completion script (bash, zsh, fish, powershell, elvish)'
complete -c kubectl-kruise -n "__fish_kubectl_kruise_needs_command" -f -a "version" -d 'Print the plugin\'s version'
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and not __fish_seen_subcommand_from approve pause resume undo status history list ls" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, a list merged as kubectl does, then ~/.kube/config)' -r -F
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and not __fish_seen_subcommand_from approve pause resume undo status history list ls" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and not __fish_seen_subcommand_from approve pause resume undo status history list ls" -l cluster -d 'The kubeconfig cluster to use' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and not __fish_seen_subcommand_from approve pause resume undo status history list ls" -l user -d 'The kubeconfig user to use' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and not __fish_seen_subcommand_from approve pause resume undo status history list ls" -s n -l namespace -d 'Namespace (default: the context\'s namespace, then "default")' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and not __fish_seen_subcommand_from approve pause resume undo status history list ls" -l request-timeout -d 'How long to wait for one API request, e.g. 10s, 1m; 0 waits forever' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and not __fish_seen_subcommand_from approve pause resume undo status history list ls" -s h -l help -d 'Print help'
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and not __fish_seen_subcommand_from approve pause resume undo status history list ls" -s V -l version -d 'Print version'
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and not __fish_seen_subcommand_from approve pause resume undo status history list ls" -f -a "approve" -d 'Approve the step a rollout is paused at, so it moves on to the next batch'
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and not __fish_seen_subcommand_from approve pause resume undo status history list ls" -f -a "pause" -d 'Pause a rollout: the controller stops moving to the next step'
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and not __fish_seen_subcommand_from approve pause resume undo status history list ls" -f -a "resume" -d 'Resume a paused rollout'
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and not __fish_seen_subcommand_from approve pause resume undo status history list ls" -f -a "undo" -d 'Roll a release back: every batch returns to the version before the release'
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and not __fish_seen_subcommand_from approve pause resume undo status history list ls" -f -a "status" -d 'Show where a release stands: phase, current step, batch progress, steps'
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and not __fish_seen_subcommand_from approve pause resume undo status history list ls" -f -a "history" -d 'Show a workload\'s revisions, the stable and the canary revision of the release marked'
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and not __fish_seen_subcommand_from approve pause resume undo status history list ls" -f -a "list" -d 'List rollouts with their current step and batch progress'
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and not __fish_seen_subcommand_from approve pause resume undo status history list ls" -f -a "ls" -d 'List rollouts with their current step and batch progress'
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from approve" -l expect-step -d 'Approve step N only: done or past it is nothing to do (exit 0); an earlier step, or step N not yet waiting for approval, is refused (exit 5)' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from approve" -l wait -d 'Then wait until the controller has moved past the step, approving again if it overwrote the approval; an optional limit such as 10m (exit 3 when reached)' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from approve" -l to-step -d 'Move the release to step N, forward or back, by writing nextStepIndex (Kruise Rollouts v0.6+; refused on older controllers)' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from approve" -l dry-run -d 'Only show what would change: `client` sends no write, `server` has the API server check the write without storing it. Nothing is changed either way' -r -f -a "none\t''
client\t''
server\t''"
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from approve" -s o -l output -d 'Print the updated object instead of a one-line result' -r -f -a "json\t''
yaml\t''
name\t'resource/name only'"
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from approve" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, a list merged as kubectl does, then ~/.kube/config)' -r -F
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from approve" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from approve" -l cluster -d 'The kubeconfig cluster to use' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from approve" -l user -d 'The kubeconfig user to use' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from approve" -s n -l namespace -d 'Namespace (default: the context\'s namespace, then "default")' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from approve" -l request-timeout -d 'How long to wait for one API request, e.g. 10s, 1m; 0 waits forever' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from approve" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from approve" -s V -l version -d 'Print version'
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from pause" -l dry-run -d 'Only show what would change: `client` sends no write, `server` has the API server check the write without storing it. Nothing is changed either way' -r -f -a "none\t''
client\t''
server\t''"
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from pause" -s o -l output -d 'Print the updated object instead of a one-line result' -r -f -a "json\t''
yaml\t''
name\t'resource/name only'"
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from pause" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, a list merged as kubectl does, then ~/.kube/config)' -r -F
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from pause" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from pause" -l cluster -d 'The kubeconfig cluster to use' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from pause" -l user -d 'The kubeconfig user to use' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from pause" -s n -l namespace -d 'Namespace (default: the context\'s namespace, then "default")' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from pause" -l request-timeout -d 'How long to wait for one API request, e.g. 10s, 1m; 0 waits forever' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from pause" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from pause" -s V -l version -d 'Print version'
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from resume" -l dry-run -d 'Only show what would change: `client` sends no write, `server` has the API server check the write without storing it. Nothing is changed either way' -r -f -a "none\t''
client\t''
server\t''"
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from resume" -s o -l output -d 'Print the updated object instead of a one-line result' -r -f -a "json\t''
yaml\t''
name\t'resource/name only'"
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from resume" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, a list merged as kubectl does, then ~/.kube/config)' -r -F
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from resume" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from resume" -l cluster -d 'The kubeconfig cluster to use' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from resume" -l user -d 'The kubeconfig user to use' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from resume" -s n -l namespace -d 'Namespace (default: the context\'s namespace, then "default")' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from resume" -l request-timeout -d 'How long to wait for one API request, e.g. 10s, 1m; 0 waits forever' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from resume" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from resume" -s V -l version -d 'Print version'
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from undo" -l to-revision -d 'Restore this revision (see `rollout history`) instead of the stable one' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from undo" -l dry-run -d 'Only show what would change: `client` sends no write, `server` has the API server check the write without storing it. Nothing is changed either way' -r -f -a "none\t''
client\t''
server\t''"
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from undo" -s o -l output -d 'Print the updated object instead of a one-line result' -r -f -a "json\t''
yaml\t''
name\t'resource/name only'"
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from undo" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, a list merged as kubectl does, then ~/.kube/config)' -r -F
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from undo" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from undo" -l cluster -d 'The kubeconfig cluster to use' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from undo" -l user -d 'The kubeconfig user to use' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from undo" -s n -l namespace -d 'Namespace (default: the context\'s namespace, then "default")' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from undo" -l request-timeout -d 'How long to wait for one API request, e.g. 10s, 1m; 0 waits forever' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from undo" -l fast -d 'Step the release back to the latest earlier step without traffic (writes the rollout\'s nextStepIndex; Kruise Rollouts v0.6+) instead of restoring the template'
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from undo" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from undo" -s V -l version -d 'Print version'
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from status" -l until -d 'Follow the rollout until COND holds: paused (a step waits for approval), step=N (step N\'s batch is ready, or passed) or completed; implies --watch' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from status" -l timeout -d 'Give up following after this long (exit 3), e.g. 30s, 5m, 1h; 0 waits forever' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from status" -s o -l output -d 'Print a summary for scripts (documented in the README) instead of the view' -r -f -a "json\t''
yaml\t''"
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from status" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, a list merged as kubectl does, then ~/.kube/config)' -r -F
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from status" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from status" -l cluster -d 'The kubeconfig cluster to use' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from status" -l user -d 'The kubeconfig user to use' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from status" -s n -l namespace -d 'Namespace (default: the context\'s namespace, then "default")' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from status" -l request-timeout -d 'How long to wait for one API request, e.g. 10s, 1m; 0 waits forever' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from status" -s w -l watch -d 'Follow the rollout until it completes, waits for approval, or fails'
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from status" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from status" -s V -l version -d 'Print version'
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from history" -l revision -d 'Show one revision in full, with its pod template' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from history" -s o -l output -d 'Print the history for scripts instead of a table' -r -f -a "json\t''
yaml\t''"
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from history" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, a list merged as kubectl does, then ~/.kube/config)' -r -F
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from history" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from history" -l cluster -d 'The kubeconfig cluster to use' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from history" -l user -d 'The kubeconfig user to use' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from history" -s n -l namespace -d 'Namespace (default: the context\'s namespace, then "default")' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from history" -l request-timeout -d 'How long to wait for one API request, e.g. 10s, 1m; 0 waits forever' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from history" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from history" -s V -l version -d 'Print version'
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from list" -s o -l output -d 'Print summaries for scripts, or only names' -r -f -a "json\t''
yaml\t''
name\t'resource/name only'"
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from list" -l chunk-size -d 'How many rollouts to fetch per request; memory stays flat however many there are' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from list" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, a list merged as kubectl does, then ~/.kube/config)' -r -F
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from list" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from list" -l cluster -d 'The kubeconfig cluster to use' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from list" -l user -d 'The kubeconfig user to use' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from list" -s n -l namespace -d 'Namespace (default: the context\'s namespace, then "default")' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from list" -l request-timeout -d 'How long to wait for one API request, e.g. 10s, 1m; 0 waits forever' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from list" -s A -l all-namespaces -d 'List rollouts in every namespace'
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from ls" -s o -l output -d 'Print summaries for scripts, or only names' -r -f -a "json\t''
yaml\t''
name\t'resource/name only'"
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from ls" -l chunk-size -d 'How many rollouts to fetch per request; memory stays flat however many there are' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from ls" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, a list merged as kubectl does, then ~/.kube/config)' -r -F
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from ls" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from ls" -l cluster -d 'The kubeconfig cluster to use' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from ls" -l user -d 'The kubeconfig user to use' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from ls" -s n -l namespace -d 'Namespace (default: the context\'s namespace, then "default")' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from ls" -l request-timeout -d 'How long to wait for one API request, e.g. 10s, 1m; 0 waits forever' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from ls" -s A -l all-namespaces -d 'List rollouts in every namespace'
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from ls" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from ls" -s V -l version -d 'Print version'
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand completion" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, a list merged as kubectl does, then ~/.kube/config)' -r -F
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand completion" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand completion" -l cluster -d 'The kubeconfig cluster to use' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand completion" -l user -d 'The kubeconfig user to use' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand completion" -s n -l namespace -d 'Namespace (default: the context\'s namespace, then "default")' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand completion" -l request-timeout -d 'How long to wait for one API request, e.g. 10s, 1m; 0 waits forever' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand completion" -s h -l help -d 'Print help'
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand completion" -s V -l version -d 'Print version'
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand version" -s o -l output -d 'Print it as a document for scripts: {"name": ..., "version": ...}' -r -f -a "json\t''
yaml\t''"
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand version" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, a list merged as kubectl does, then ~/.kube/config)' -r -F
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand version" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand version" -l cluster -d 'The kubeconfig cluster to use' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand version" -l user -d 'The kubeconfig user to use' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand version" -s n -l namespace -d 'Namespace (default: the context\'s namespace, then "default")' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand version" -l request-timeout -d 'How long to wait for one API request, e.g. 10s, 1m; 0 waits forever' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand version" -s h -l help -d 'Print help'
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand version" -s V -l version -d 'Print version'
