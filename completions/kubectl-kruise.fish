# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_kubectl_kruise_global_optspecs
    string join \n kubeconfig= context= cluster= user= n/namespace= request-timeout= s/server= token= certificate-authority= client-certificate= client-key= insecure-skip-tls-verify= tls-server-name= as= as-group= as-uid= v/v= warnings-as-errors h/help V/version
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
complete -c kubectl-kruise -n "__fish_kubectl_kruise_needs_command" -s s -l server -d 'The address of the API server, instead of the kubeconfig\'s' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_needs_command" -l token -d 'Bearer token for authentication to the API server' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_needs_command" -l certificate-authority -d 'Path to a CA certificate file for the API server\'s certificate' -r -F
complete -c kubectl-kruise -n "__fish_kubectl_kruise_needs_command" -l client-certificate -d 'Path to a client certificate file for TLS' -r -F
complete -c kubectl-kruise -n "__fish_kubectl_kruise_needs_command" -l client-key -d 'Path to a client key file for TLS' -r -F
complete -c kubectl-kruise -n "__fish_kubectl_kruise_needs_command" -l insecure-skip-tls-verify -d 'Do not verify the API server\'s certificate (insecure)' -r -f -a "true\t''
false\t''"
complete -c kubectl-kruise -n "__fish_kubectl_kruise_needs_command" -l tls-server-name -d 'Server name to verify the API server\'s certificate against, instead of its host' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_needs_command" -l as -d 'Act as this user (impersonation)' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_needs_command" -l as-group -d 'Act as a member of this group (impersonation; repeat for several)' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_needs_command" -l as-uid -d 'Act as this user UID (impersonation)' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_needs_command" -s v -l v -d 'Log requests on stderr as kubectl does: 6 method, URL, status and latency; 7 also request headers; 8 also bodies. Credentials are always redacted' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_needs_command" -l warnings-as-errors -d 'Treat warnings the API server sends as errors (exit 1)'
complete -c kubectl-kruise -n "__fish_kubectl_kruise_needs_command" -s h -l help -d 'Print help'
complete -c kubectl-kruise -n "__fish_kubectl_kruise_needs_command" -s V -l version -d 'Print version'
complete -c kubectl-kruise -n "__fish_kubectl_kruise_needs_command" -f -a "rollout" -d 'Manage Kruise Rollouts and their workloads: approve, pause, resume, undo, restart, status, history, list'
complete -c kubectl-kruise -n "__fish_kubectl_kruise_needs_command" -f -a "completion" -d 'Print a shell completion script (bash, zsh, fish, powershell, elvish)'
complete -c kubectl-kruise -n "__fish_kubectl_kruise_needs_command" -f -a "__complete" -d 'kubectl\'s plugin completion protocol: candidates for the last word (see `completions/kubectl_complete-kruise`)'
complete -c kubectl-kruise -n "__fish_kubectl_kruise_needs_command" -f -a "version" -d 'Print the plugin\'s version'
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and not __fish_seen_subcommand_from approve pause resume restart undo status history list ls" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, a list merged as kubectl does, then ~/.kube/config)' -r -F
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and not __fish_seen_subcommand_from approve pause resume restart undo status history list ls" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and not __fish_seen_subcommand_from approve pause resume restart undo status history list ls" -l cluster -d 'The kubeconfig cluster to use' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and not __fish_seen_subcommand_from approve pause resume restart undo status history list ls" -l user -d 'The kubeconfig user to use' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and not __fish_seen_subcommand_from approve pause resume restart undo status history list ls" -s n -l namespace -d 'Namespace (default: the context\'s namespace, then "default")' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and not __fish_seen_subcommand_from approve pause resume restart undo status history list ls" -l request-timeout -d 'How long to wait for one API request, e.g. 10s, 1m; 0 waits forever' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and not __fish_seen_subcommand_from approve pause resume restart undo status history list ls" -s s -l server -d 'The address of the API server, instead of the kubeconfig\'s' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and not __fish_seen_subcommand_from approve pause resume restart undo status history list ls" -l token -d 'Bearer token for authentication to the API server' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and not __fish_seen_subcommand_from approve pause resume restart undo status history list ls" -l certificate-authority -d 'Path to a CA certificate file for the API server\'s certificate' -r -F
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and not __fish_seen_subcommand_from approve pause resume restart undo status history list ls" -l client-certificate -d 'Path to a client certificate file for TLS' -r -F
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and not __fish_seen_subcommand_from approve pause resume restart undo status history list ls" -l client-key -d 'Path to a client key file for TLS' -r -F
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and not __fish_seen_subcommand_from approve pause resume restart undo status history list ls" -l insecure-skip-tls-verify -d 'Do not verify the API server\'s certificate (insecure)' -r -f -a "true\t''
false\t''"
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and not __fish_seen_subcommand_from approve pause resume restart undo status history list ls" -l tls-server-name -d 'Server name to verify the API server\'s certificate against, instead of its host' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and not __fish_seen_subcommand_from approve pause resume restart undo status history list ls" -l as -d 'Act as this user (impersonation)' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and not __fish_seen_subcommand_from approve pause resume restart undo status history list ls" -l as-group -d 'Act as a member of this group (impersonation; repeat for several)' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and not __fish_seen_subcommand_from approve pause resume restart undo status history list ls" -l as-uid -d 'Act as this user UID (impersonation)' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and not __fish_seen_subcommand_from approve pause resume restart undo status history list ls" -s v -l v -d 'Log requests on stderr as kubectl does: 6 method, URL, status and latency; 7 also request headers; 8 also bodies. Credentials are always redacted' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and not __fish_seen_subcommand_from approve pause resume restart undo status history list ls" -l warnings-as-errors -d 'Treat warnings the API server sends as errors (exit 1)'
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and not __fish_seen_subcommand_from approve pause resume restart undo status history list ls" -s h -l help -d 'Print help'
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and not __fish_seen_subcommand_from approve pause resume restart undo status history list ls" -s V -l version -d 'Print version'
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and not __fish_seen_subcommand_from approve pause resume restart undo status history list ls" -f -a "approve" -d 'Approve the step a rollout is paused at, so it moves on to the next batch'
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and not __fish_seen_subcommand_from approve pause resume restart undo status history list ls" -f -a "pause" -d 'Pause a rollout (the controller stops moving to the next step) or a workload\'s rollout'
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and not __fish_seen_subcommand_from approve pause resume restart undo status history list ls" -f -a "resume" -d 'Resume a paused rollout or workload'
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and not __fish_seen_subcommand_from approve pause resume restart undo status history list ls" -f -a "restart" -d 'Restart the pods of a workload (or of a rollout\'s workload) with a new rollout'
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and not __fish_seen_subcommand_from approve pause resume restart undo status history list ls" -f -a "undo" -d 'Roll a release back: every batch returns to the version before the release'
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and not __fish_seen_subcommand_from approve pause resume restart undo status history list ls" -f -a "status" -d 'Show where a release stands: phase, current step, batch progress, steps'
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and not __fish_seen_subcommand_from approve pause resume restart undo status history list ls" -f -a "history" -d 'Show a workload\'s revisions, the stable and the canary revision of the release marked'
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and not __fish_seen_subcommand_from approve pause resume restart undo status history list ls" -f -a "list" -d 'List rollouts with their current step and batch progress'
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and not __fish_seen_subcommand_from approve pause resume restart undo status history list ls" -f -a "ls" -d 'List rollouts with their current step and batch progress'
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from approve" -l expect-step -d 'Approve step N only: done or past it is nothing to do (exit 0); an earlier step, or step N not yet waiting for approval, is refused (exit 5)' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from approve" -l wait -d 'Then wait until the controller has moved past the step, approving again if it overwrote the approval; an optional limit such as 10m (exit 3 when reached)' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from approve" -l to-step -d 'Move the release to step N, forward or back, by writing nextStepIndex (Kruise Rollouts v0.6+; refused on older controllers)' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from approve" -s o -l output -d 'Print the updated object instead of a one-line result (a List of results for several)' -r -f -a "json\t''
yaml\t''
name\t'resource/name only'"
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from approve" -l dry-run -d 'Only show what would change: `client` sends no write, `server` has the API server check the write without storing it. Nothing is changed either way' -r -f -a "none\t''
client\t''
server\t''"
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from approve" -l field-manager -d 'The name recorded as the writer in the object\'s managedFields' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from approve" -s f -l filename -d 'Files (YAML or JSON, multi-document, List), directories or `-` for stdin naming the objects; each is read again from the server before acting' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from approve" -s l -l selector -d 'Only objects matching this label selector (kubectl\'s syntax: a=b, a!=b, a in (x,y), a notin (x), a, !a)' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from approve" -l app -d 'Every rollout of this KubeVela Application: its trait Rollouts, its Kruise Rollouts and the AppRollouts of its revisions (also `application/APP`)' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from approve" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, a list merged as kubectl does, then ~/.kube/config)' -r -F
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from approve" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from approve" -l cluster -d 'The kubeconfig cluster to use' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from approve" -l user -d 'The kubeconfig user to use' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from approve" -s n -l namespace -d 'Namespace (default: the context\'s namespace, then "default")' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from approve" -l request-timeout -d 'How long to wait for one API request, e.g. 10s, 1m; 0 waits forever' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from approve" -s s -l server -d 'The address of the API server, instead of the kubeconfig\'s' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from approve" -l token -d 'Bearer token for authentication to the API server' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from approve" -l certificate-authority -d 'Path to a CA certificate file for the API server\'s certificate' -r -F
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from approve" -l client-certificate -d 'Path to a client certificate file for TLS' -r -F
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from approve" -l client-key -d 'Path to a client key file for TLS' -r -F
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from approve" -l insecure-skip-tls-verify -d 'Do not verify the API server\'s certificate (insecure)' -r -f -a "true\t''
false\t''"
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from approve" -l tls-server-name -d 'Server name to verify the API server\'s certificate against, instead of its host' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from approve" -l as -d 'Act as this user (impersonation)' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from approve" -l as-group -d 'Act as a member of this group (impersonation; repeat for several)' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from approve" -l as-uid -d 'Act as this user UID (impersonation)' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from approve" -s v -l v -d 'Log requests on stderr as kubectl does: 6 method, URL, status and latency; 7 also request headers; 8 also bodies. Credentials are always redacted' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from approve" -l no-event -d 'Do not record a Kubernetes Event for the change on the object'
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from approve" -s R -l recursive -d 'With -f DIR: also read the directories below it'
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from approve" -l all -d 'Every object of the type in the namespace'
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from approve" -s A -l all-namespaces -d 'Every object of the type in every namespace (narrowed by -l)'
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from approve" -l warnings-as-errors -d 'Treat warnings the API server sends as errors (exit 1)'
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from approve" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from approve" -s V -l version -d 'Print version'
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from pause" -s o -l output -d 'Print the updated object instead of a one-line result (a List of results for several)' -r -f -a "json\t''
yaml\t''
name\t'resource/name only'"
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from pause" -l dry-run -d 'Only show what would change: `client` sends no write, `server` has the API server check the write without storing it. Nothing is changed either way' -r -f -a "none\t''
client\t''
server\t''"
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from pause" -l field-manager -d 'The name recorded as the writer in the object\'s managedFields' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from pause" -s f -l filename -d 'Files (YAML or JSON, multi-document, List), directories or `-` for stdin naming the objects; each is read again from the server before acting' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from pause" -s l -l selector -d 'Only objects matching this label selector (kubectl\'s syntax: a=b, a!=b, a in (x,y), a notin (x), a, !a)' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from pause" -l app -d 'Every rollout of this KubeVela Application: its trait Rollouts, its Kruise Rollouts and the AppRollouts of its revisions (also `application/APP`)' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from pause" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, a list merged as kubectl does, then ~/.kube/config)' -r -F
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from pause" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from pause" -l cluster -d 'The kubeconfig cluster to use' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from pause" -l user -d 'The kubeconfig user to use' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from pause" -s n -l namespace -d 'Namespace (default: the context\'s namespace, then "default")' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from pause" -l request-timeout -d 'How long to wait for one API request, e.g. 10s, 1m; 0 waits forever' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from pause" -s s -l server -d 'The address of the API server, instead of the kubeconfig\'s' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from pause" -l token -d 'Bearer token for authentication to the API server' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from pause" -l certificate-authority -d 'Path to a CA certificate file for the API server\'s certificate' -r -F
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from pause" -l client-certificate -d 'Path to a client certificate file for TLS' -r -F
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from pause" -l client-key -d 'Path to a client key file for TLS' -r -F
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from pause" -l insecure-skip-tls-verify -d 'Do not verify the API server\'s certificate (insecure)' -r -f -a "true\t''
false\t''"
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from pause" -l tls-server-name -d 'Server name to verify the API server\'s certificate against, instead of its host' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from pause" -l as -d 'Act as this user (impersonation)' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from pause" -l as-group -d 'Act as a member of this group (impersonation; repeat for several)' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from pause" -l as-uid -d 'Act as this user UID (impersonation)' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from pause" -s v -l v -d 'Log requests on stderr as kubectl does: 6 method, URL, status and latency; 7 also request headers; 8 also bodies. Credentials are always redacted' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from pause" -l no-event -d 'Do not record a Kubernetes Event for the change on the object'
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from pause" -s R -l recursive -d 'With -f DIR: also read the directories below it'
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from pause" -l all -d 'Every object of the type in the namespace'
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from pause" -s A -l all-namespaces -d 'Every object of the type in every namespace (narrowed by -l)'
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from pause" -l warnings-as-errors -d 'Treat warnings the API server sends as errors (exit 1)'
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from pause" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from pause" -s V -l version -d 'Print version'
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from resume" -s o -l output -d 'Print the updated object instead of a one-line result (a List of results for several)' -r -f -a "json\t''
yaml\t''
name\t'resource/name only'"
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from resume" -l dry-run -d 'Only show what would change: `client` sends no write, `server` has the API server check the write without storing it. Nothing is changed either way' -r -f -a "none\t''
client\t''
server\t''"
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from resume" -l field-manager -d 'The name recorded as the writer in the object\'s managedFields' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from resume" -s f -l filename -d 'Files (YAML or JSON, multi-document, List), directories or `-` for stdin naming the objects; each is read again from the server before acting' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from resume" -s l -l selector -d 'Only objects matching this label selector (kubectl\'s syntax: a=b, a!=b, a in (x,y), a notin (x), a, !a)' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from resume" -l app -d 'Every rollout of this KubeVela Application: its trait Rollouts, its Kruise Rollouts and the AppRollouts of its revisions (also `application/APP`)' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from resume" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, a list merged as kubectl does, then ~/.kube/config)' -r -F
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from resume" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from resume" -l cluster -d 'The kubeconfig cluster to use' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from resume" -l user -d 'The kubeconfig user to use' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from resume" -s n -l namespace -d 'Namespace (default: the context\'s namespace, then "default")' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from resume" -l request-timeout -d 'How long to wait for one API request, e.g. 10s, 1m; 0 waits forever' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from resume" -s s -l server -d 'The address of the API server, instead of the kubeconfig\'s' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from resume" -l token -d 'Bearer token for authentication to the API server' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from resume" -l certificate-authority -d 'Path to a CA certificate file for the API server\'s certificate' -r -F
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from resume" -l client-certificate -d 'Path to a client certificate file for TLS' -r -F
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from resume" -l client-key -d 'Path to a client key file for TLS' -r -F
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from resume" -l insecure-skip-tls-verify -d 'Do not verify the API server\'s certificate (insecure)' -r -f -a "true\t''
false\t''"
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from resume" -l tls-server-name -d 'Server name to verify the API server\'s certificate against, instead of its host' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from resume" -l as -d 'Act as this user (impersonation)' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from resume" -l as-group -d 'Act as a member of this group (impersonation; repeat for several)' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from resume" -l as-uid -d 'Act as this user UID (impersonation)' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from resume" -s v -l v -d 'Log requests on stderr as kubectl does: 6 method, URL, status and latency; 7 also request headers; 8 also bodies. Credentials are always redacted' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from resume" -l no-event -d 'Do not record a Kubernetes Event for the change on the object'
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from resume" -s R -l recursive -d 'With -f DIR: also read the directories below it'
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from resume" -l all -d 'Every object of the type in the namespace'
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from resume" -s A -l all-namespaces -d 'Every object of the type in every namespace (narrowed by -l)'
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from resume" -l warnings-as-errors -d 'Treat warnings the API server sends as errors (exit 1)'
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from resume" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from resume" -s V -l version -d 'Print version'
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from restart" -s o -l output -d 'Print the updated object instead of a one-line result (a List of results for several)' -r -f -a "json\t''
yaml\t''
name\t'resource/name only'"
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from restart" -l dry-run -d 'Only show what would change: `client` sends no write, `server` has the API server check the write without storing it. Nothing is changed either way' -r -f -a "none\t''
client\t''
server\t''"
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from restart" -l field-manager -d 'The name recorded as the writer in the object\'s managedFields' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from restart" -s f -l filename -d 'Files (YAML or JSON, multi-document, List), directories or `-` for stdin naming the objects; each is read again from the server before acting' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from restart" -s l -l selector -d 'Only objects matching this label selector (kubectl\'s syntax: a=b, a!=b, a in (x,y), a notin (x), a, !a)' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from restart" -l app -d 'Every rollout of this KubeVela Application: its trait Rollouts, its Kruise Rollouts and the AppRollouts of its revisions (also `application/APP`)' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from restart" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, a list merged as kubectl does, then ~/.kube/config)' -r -F
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from restart" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from restart" -l cluster -d 'The kubeconfig cluster to use' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from restart" -l user -d 'The kubeconfig user to use' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from restart" -s n -l namespace -d 'Namespace (default: the context\'s namespace, then "default")' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from restart" -l request-timeout -d 'How long to wait for one API request, e.g. 10s, 1m; 0 waits forever' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from restart" -s s -l server -d 'The address of the API server, instead of the kubeconfig\'s' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from restart" -l token -d 'Bearer token for authentication to the API server' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from restart" -l certificate-authority -d 'Path to a CA certificate file for the API server\'s certificate' -r -F
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from restart" -l client-certificate -d 'Path to a client certificate file for TLS' -r -F
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from restart" -l client-key -d 'Path to a client key file for TLS' -r -F
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from restart" -l insecure-skip-tls-verify -d 'Do not verify the API server\'s certificate (insecure)' -r -f -a "true\t''
false\t''"
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from restart" -l tls-server-name -d 'Server name to verify the API server\'s certificate against, instead of its host' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from restart" -l as -d 'Act as this user (impersonation)' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from restart" -l as-group -d 'Act as a member of this group (impersonation; repeat for several)' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from restart" -l as-uid -d 'Act as this user UID (impersonation)' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from restart" -s v -l v -d 'Log requests on stderr as kubectl does: 6 method, URL, status and latency; 7 also request headers; 8 also bodies. Credentials are always redacted' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from restart" -l no-event -d 'Do not record a Kubernetes Event for the change on the object'
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from restart" -s R -l recursive -d 'With -f DIR: also read the directories below it'
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from restart" -l all -d 'Every object of the type in the namespace'
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from restart" -s A -l all-namespaces -d 'Every object of the type in every namespace (narrowed by -l)'
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from restart" -l warnings-as-errors -d 'Treat warnings the API server sends as errors (exit 1)'
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from restart" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from restart" -s V -l version -d 'Print version'
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from undo" -l to-revision -d 'Restore this revision (see `rollout history`) instead of the stable one' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from undo" -s o -l output -d 'Print the updated object instead of a one-line result' -r -f -a "json\t''
yaml\t''
name\t'resource/name only'"
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from undo" -l dry-run -d 'Only show what would change: `client` sends no write, `server` has the API server check the write without storing it. Nothing is changed either way' -r -f -a "none\t''
client\t''
server\t''"
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from undo" -l field-manager -d 'The name recorded as the writer in the object\'s managedFields' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from undo" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, a list merged as kubectl does, then ~/.kube/config)' -r -F
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from undo" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from undo" -l cluster -d 'The kubeconfig cluster to use' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from undo" -l user -d 'The kubeconfig user to use' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from undo" -s n -l namespace -d 'Namespace (default: the context\'s namespace, then "default")' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from undo" -l request-timeout -d 'How long to wait for one API request, e.g. 10s, 1m; 0 waits forever' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from undo" -s s -l server -d 'The address of the API server, instead of the kubeconfig\'s' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from undo" -l token -d 'Bearer token for authentication to the API server' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from undo" -l certificate-authority -d 'Path to a CA certificate file for the API server\'s certificate' -r -F
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from undo" -l client-certificate -d 'Path to a client certificate file for TLS' -r -F
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from undo" -l client-key -d 'Path to a client key file for TLS' -r -F
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from undo" -l insecure-skip-tls-verify -d 'Do not verify the API server\'s certificate (insecure)' -r -f -a "true\t''
false\t''"
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from undo" -l tls-server-name -d 'Server name to verify the API server\'s certificate against, instead of its host' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from undo" -l as -d 'Act as this user (impersonation)' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from undo" -l as-group -d 'Act as a member of this group (impersonation; repeat for several)' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from undo" -l as-uid -d 'Act as this user UID (impersonation)' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from undo" -s v -l v -d 'Log requests on stderr as kubectl does: 6 method, URL, status and latency; 7 also request headers; 8 also bodies. Credentials are always redacted' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from undo" -l fast -d 'Step the release back to the latest earlier step without traffic (writes the rollout\'s nextStepIndex; Kruise Rollouts v0.6+) instead of restoring the template'
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from undo" -l no-event -d 'Do not record a Kubernetes Event for the change on the object'
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from undo" -l warnings-as-errors -d 'Treat warnings the API server sends as errors (exit 1)'
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from undo" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from undo" -s V -l version -d 'Print version'
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from status" -l until -d 'Follow the rollout until COND holds: paused (a step waits for approval), step=N (step N\'s batch is ready, or passed) or completed; implies --watch' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from status" -l timeout -d 'Give up following after this long (exit 3), e.g. 30s, 5m, 1h; 0 waits forever' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from status" -s o -l output -d 'Print a summary for scripts (documented in the README) instead of the view' -r -f -a "json\t''
yaml\t''"
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from status" -s f -l filename -d 'Files (YAML or JSON, multi-document, List), directories or `-` for stdin naming the objects; each is read again from the server before acting' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from status" -s l -l selector -d 'Only objects matching this label selector (kubectl\'s syntax: a=b, a!=b, a in (x,y), a notin (x), a, !a)' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from status" -l app -d 'Every rollout of this KubeVela Application: its trait Rollouts, its Kruise Rollouts and the AppRollouts of its revisions (also `application/APP`)' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from status" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, a list merged as kubectl does, then ~/.kube/config)' -r -F
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from status" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from status" -l cluster -d 'The kubeconfig cluster to use' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from status" -l user -d 'The kubeconfig user to use' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from status" -s n -l namespace -d 'Namespace (default: the context\'s namespace, then "default")' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from status" -l request-timeout -d 'How long to wait for one API request, e.g. 10s, 1m; 0 waits forever' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from status" -s s -l server -d 'The address of the API server, instead of the kubeconfig\'s' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from status" -l token -d 'Bearer token for authentication to the API server' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from status" -l certificate-authority -d 'Path to a CA certificate file for the API server\'s certificate' -r -F
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from status" -l client-certificate -d 'Path to a client certificate file for TLS' -r -F
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from status" -l client-key -d 'Path to a client key file for TLS' -r -F
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from status" -l insecure-skip-tls-verify -d 'Do not verify the API server\'s certificate (insecure)' -r -f -a "true\t''
false\t''"
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from status" -l tls-server-name -d 'Server name to verify the API server\'s certificate against, instead of its host' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from status" -l as -d 'Act as this user (impersonation)' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from status" -l as-group -d 'Act as a member of this group (impersonation; repeat for several)' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from status" -l as-uid -d 'Act as this user UID (impersonation)' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from status" -s v -l v -d 'Log requests on stderr as kubectl does: 6 method, URL, status and latency; 7 also request headers; 8 also bodies. Credentials are always redacted' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from status" -s w -l watch -d 'Follow the rollout until it completes, waits for approval, or fails'
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from status" -s R -l recursive -d 'With -f DIR: also read the directories below it'
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from status" -l all -d 'Every object of the type in the namespace'
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from status" -s A -l all-namespaces -d 'Every object of the type in every namespace (narrowed by -l)'
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from status" -l warnings-as-errors -d 'Treat warnings the API server sends as errors (exit 1)'
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
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from history" -s s -l server -d 'The address of the API server, instead of the kubeconfig\'s' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from history" -l token -d 'Bearer token for authentication to the API server' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from history" -l certificate-authority -d 'Path to a CA certificate file for the API server\'s certificate' -r -F
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from history" -l client-certificate -d 'Path to a client certificate file for TLS' -r -F
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from history" -l client-key -d 'Path to a client key file for TLS' -r -F
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from history" -l insecure-skip-tls-verify -d 'Do not verify the API server\'s certificate (insecure)' -r -f -a "true\t''
false\t''"
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from history" -l tls-server-name -d 'Server name to verify the API server\'s certificate against, instead of its host' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from history" -l as -d 'Act as this user (impersonation)' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from history" -l as-group -d 'Act as a member of this group (impersonation; repeat for several)' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from history" -l as-uid -d 'Act as this user UID (impersonation)' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from history" -s v -l v -d 'Log requests on stderr as kubectl does: 6 method, URL, status and latency; 7 also request headers; 8 also bodies. Credentials are always redacted' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from history" -l warnings-as-errors -d 'Treat warnings the API server sends as errors (exit 1)'
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from history" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from history" -s V -l version -d 'Print version'
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from list" -s l -l selector -d 'Only rollouts matching this label selector (kubectl\'s syntax)' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from list" -s o -l output -d 'Print summaries for scripts, or only names' -r -f -a "json\t''
yaml\t''
name\t'resource/name only'"
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from list" -l chunk-size -d 'Rows per table chunk, and rollouts per page of a --consistent read; memory stays flat however many there are' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from list" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, a list merged as kubectl does, then ~/.kube/config)' -r -F
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from list" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from list" -l cluster -d 'The kubeconfig cluster to use' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from list" -l user -d 'The kubeconfig user to use' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from list" -s n -l namespace -d 'Namespace (default: the context\'s namespace, then "default")' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from list" -l request-timeout -d 'How long to wait for one API request, e.g. 10s, 1m; 0 waits forever' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from list" -s s -l server -d 'The address of the API server, instead of the kubeconfig\'s' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from list" -l token -d 'Bearer token for authentication to the API server' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from list" -l certificate-authority -d 'Path to a CA certificate file for the API server\'s certificate' -r -F
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from list" -l client-certificate -d 'Path to a client certificate file for TLS' -r -F
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from list" -l client-key -d 'Path to a client key file for TLS' -r -F
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from list" -l insecure-skip-tls-verify -d 'Do not verify the API server\'s certificate (insecure)' -r -f -a "true\t''
false\t''"
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from list" -l tls-server-name -d 'Server name to verify the API server\'s certificate against, instead of its host' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from list" -l as -d 'Act as this user (impersonation)' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from list" -l as-group -d 'Act as a member of this group (impersonation; repeat for several)' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from list" -l as-uid -d 'Act as this user UID (impersonation)' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from list" -s v -l v -d 'Log requests on stderr as kubectl does: 6 method, URL, status and latency; 7 also request headers; 8 also bodies. Credentials are always redacted' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from list" -s A -l all-namespaces -d 'List rollouts in every namespace'
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from list" -s w -l watch -d 'Keep watching: a live fleet view on a terminal (what needs a person first), one line per change in a pipe (a JSON summary per line with -o json)'
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from list" -l consistent -d 'Read from etcd (consistent, page by page) instead of the API server\'s watch cache (faster; at most a moment behind)'
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from list" -l warnings-as-errors -d 'Treat warnings the API server sends as errors (exit 1)'
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from ls" -s l -l selector -d 'Only rollouts matching this label selector (kubectl\'s syntax)' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from ls" -s o -l output -d 'Print summaries for scripts, or only names' -r -f -a "json\t''
yaml\t''
name\t'resource/name only'"
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from ls" -l chunk-size -d 'Rows per table chunk, and rollouts per page of a --consistent read; memory stays flat however many there are' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from ls" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, a list merged as kubectl does, then ~/.kube/config)' -r -F
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from ls" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from ls" -l cluster -d 'The kubeconfig cluster to use' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from ls" -l user -d 'The kubeconfig user to use' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from ls" -s n -l namespace -d 'Namespace (default: the context\'s namespace, then "default")' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from ls" -l request-timeout -d 'How long to wait for one API request, e.g. 10s, 1m; 0 waits forever' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from ls" -s s -l server -d 'The address of the API server, instead of the kubeconfig\'s' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from ls" -l token -d 'Bearer token for authentication to the API server' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from ls" -l certificate-authority -d 'Path to a CA certificate file for the API server\'s certificate' -r -F
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from ls" -l client-certificate -d 'Path to a client certificate file for TLS' -r -F
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from ls" -l client-key -d 'Path to a client key file for TLS' -r -F
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from ls" -l insecure-skip-tls-verify -d 'Do not verify the API server\'s certificate (insecure)' -r -f -a "true\t''
false\t''"
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from ls" -l tls-server-name -d 'Server name to verify the API server\'s certificate against, instead of its host' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from ls" -l as -d 'Act as this user (impersonation)' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from ls" -l as-group -d 'Act as a member of this group (impersonation; repeat for several)' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from ls" -l as-uid -d 'Act as this user UID (impersonation)' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from ls" -s v -l v -d 'Log requests on stderr as kubectl does: 6 method, URL, status and latency; 7 also request headers; 8 also bodies. Credentials are always redacted' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from ls" -s A -l all-namespaces -d 'List rollouts in every namespace'
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from ls" -s w -l watch -d 'Keep watching: a live fleet view on a terminal (what needs a person first), one line per change in a pipe (a JSON summary per line with -o json)'
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from ls" -l consistent -d 'Read from etcd (consistent, page by page) instead of the API server\'s watch cache (faster; at most a moment behind)'
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from ls" -l warnings-as-errors -d 'Treat warnings the API server sends as errors (exit 1)'
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from ls" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand rollout; and __fish_seen_subcommand_from ls" -s V -l version -d 'Print version'
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand completion" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, a list merged as kubectl does, then ~/.kube/config)' -r -F
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand completion" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand completion" -l cluster -d 'The kubeconfig cluster to use' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand completion" -l user -d 'The kubeconfig user to use' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand completion" -s n -l namespace -d 'Namespace (default: the context\'s namespace, then "default")' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand completion" -l request-timeout -d 'How long to wait for one API request, e.g. 10s, 1m; 0 waits forever' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand completion" -s s -l server -d 'The address of the API server, instead of the kubeconfig\'s' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand completion" -l token -d 'Bearer token for authentication to the API server' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand completion" -l certificate-authority -d 'Path to a CA certificate file for the API server\'s certificate' -r -F
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand completion" -l client-certificate -d 'Path to a client certificate file for TLS' -r -F
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand completion" -l client-key -d 'Path to a client key file for TLS' -r -F
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand completion" -l insecure-skip-tls-verify -d 'Do not verify the API server\'s certificate (insecure)' -r -f -a "true\t''
false\t''"
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand completion" -l tls-server-name -d 'Server name to verify the API server\'s certificate against, instead of its host' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand completion" -l as -d 'Act as this user (impersonation)' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand completion" -l as-group -d 'Act as a member of this group (impersonation; repeat for several)' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand completion" -l as-uid -d 'Act as this user UID (impersonation)' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand completion" -s v -l v -d 'Log requests on stderr as kubectl does: 6 method, URL, status and latency; 7 also request headers; 8 also bodies. Credentials are always redacted' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand completion" -l warnings-as-errors -d 'Treat warnings the API server sends as errors (exit 1)'
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand completion" -s h -l help -d 'Print help'
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand completion" -s V -l version -d 'Print version'
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand __complete" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, a list merged as kubectl does, then ~/.kube/config)' -r -F
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand __complete" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand __complete" -l cluster -d 'The kubeconfig cluster to use' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand __complete" -l user -d 'The kubeconfig user to use' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand __complete" -s n -l namespace -d 'Namespace (default: the context\'s namespace, then "default")' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand __complete" -l request-timeout -d 'How long to wait for one API request, e.g. 10s, 1m; 0 waits forever' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand __complete" -s s -l server -d 'The address of the API server, instead of the kubeconfig\'s' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand __complete" -l token -d 'Bearer token for authentication to the API server' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand __complete" -l certificate-authority -d 'Path to a CA certificate file for the API server\'s certificate' -r -F
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand __complete" -l client-certificate -d 'Path to a client certificate file for TLS' -r -F
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand __complete" -l client-key -d 'Path to a client key file for TLS' -r -F
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand __complete" -l insecure-skip-tls-verify -d 'Do not verify the API server\'s certificate (insecure)' -r -f -a "true\t''
false\t''"
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand __complete" -l tls-server-name -d 'Server name to verify the API server\'s certificate against, instead of its host' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand __complete" -l as -d 'Act as this user (impersonation)' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand __complete" -l as-group -d 'Act as a member of this group (impersonation; repeat for several)' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand __complete" -l as-uid -d 'Act as this user UID (impersonation)' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand __complete" -s v -l v -d 'Log requests on stderr as kubectl does: 6 method, URL, status and latency; 7 also request headers; 8 also bodies. Credentials are always redacted' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand __complete" -l warnings-as-errors -d 'Treat warnings the API server sends as errors (exit 1)'
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand __complete" -s h -l help -d 'Print help'
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand __complete" -s V -l version -d 'Print version'
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand version" -s o -l output -d 'Print it as a document for scripts: {"name": ..., "version": ...}' -r -f -a "json\t''
yaml\t''"
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand version" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, a list merged as kubectl does, then ~/.kube/config)' -r -F
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand version" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand version" -l cluster -d 'The kubeconfig cluster to use' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand version" -l user -d 'The kubeconfig user to use' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand version" -s n -l namespace -d 'Namespace (default: the context\'s namespace, then "default")' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand version" -l request-timeout -d 'How long to wait for one API request, e.g. 10s, 1m; 0 waits forever' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand version" -s s -l server -d 'The address of the API server, instead of the kubeconfig\'s' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand version" -l token -d 'Bearer token for authentication to the API server' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand version" -l certificate-authority -d 'Path to a CA certificate file for the API server\'s certificate' -r -F
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand version" -l client-certificate -d 'Path to a client certificate file for TLS' -r -F
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand version" -l client-key -d 'Path to a client key file for TLS' -r -F
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand version" -l insecure-skip-tls-verify -d 'Do not verify the API server\'s certificate (insecure)' -r -f -a "true\t''
false\t''"
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand version" -l tls-server-name -d 'Server name to verify the API server\'s certificate against, instead of its host' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand version" -l as -d 'Act as this user (impersonation)' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand version" -l as-group -d 'Act as a member of this group (impersonation; repeat for several)' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand version" -l as-uid -d 'Act as this user UID (impersonation)' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand version" -s v -l v -d 'Log requests on stderr as kubectl does: 6 method, URL, status and latency; 7 also request headers; 8 also bodies. Credentials are always redacted' -r
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand version" -l warnings-as-errors -d 'Treat warnings the API server sends as errors (exit 1)'
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand version" -s h -l help -d 'Print help'
complete -c kubectl-kruise -n "__fish_kubectl_kruise_using_subcommand version" -s V -l version -d 'Print version'
