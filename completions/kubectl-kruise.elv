
use builtin;
use str;

set edit:completion:arg-completer[kubectl-kruise] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'kubectl-kruise'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'kubectl-kruise'= {
            cand --kubeconfig 'Path to the kubeconfig file (default: $KUBECONFIG, a list merged as kubectl does, then ~/.kube/config)'
            cand --context 'The kubeconfig context to use'
            cand --cluster 'The kubeconfig cluster to use'
            cand --user 'The kubeconfig user to use'
            cand -n 'Namespace (default: the context''s namespace, then "default")'
            cand --namespace 'Namespace (default: the context''s namespace, then "default")'
            cand --request-timeout 'How long to wait for one API request, e.g. 10s, 1m; 0 waits forever'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand rollout 'Manage Kruise Rollouts: approve, pause, resume, undo, status, history, list'
            cand completion 'Print a shell completion script (bash, zsh, fish, powershell, elvish)'
            cand version 'Print the plugin''s version'
        }
        &'kubectl-kruise;rollout'= {
            cand --kubeconfig 'Path to the kubeconfig file (default: $KUBECONFIG, a list merged as kubectl does, then ~/.kube/config)'
            cand --context 'The kubeconfig context to use'
            cand --cluster 'The kubeconfig cluster to use'
            cand --user 'The kubeconfig user to use'
            cand -n 'Namespace (default: the context''s namespace, then "default")'
            cand --namespace 'Namespace (default: the context''s namespace, then "default")'
            cand --request-timeout 'How long to wait for one API request, e.g. 10s, 1m; 0 waits forever'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand approve 'Approve the step a rollout is paused at, so it moves on to the next batch'
            cand pause 'Pause a rollout: the controller stops moving to the next step'
            cand resume 'Resume a paused rollout'
            cand undo 'Roll a release back: every batch returns to the version before the release'
            cand status 'Show where a release stands: phase, current step, batch progress, steps'
            cand history 'Show a workload''s revisions, the stable and the canary revision of the release marked'
            cand list 'List rollouts with their current step and batch progress'
            cand ls 'List rollouts with their current step and batch progress'
        }
        &'kubectl-kruise;rollout;approve'= {
            cand --dry-run 'Only show what would change: `client` sends no write, `server` has the API server check the write without storing it. Nothing is changed either way'
            cand -o 'Print the updated object instead of a one-line result'
            cand --output 'Print the updated object instead of a one-line result'
            cand --kubeconfig 'Path to the kubeconfig file (default: $KUBECONFIG, a list merged as kubectl does, then ~/.kube/config)'
            cand --context 'The kubeconfig context to use'
            cand --cluster 'The kubeconfig cluster to use'
            cand --user 'The kubeconfig user to use'
            cand -n 'Namespace (default: the context''s namespace, then "default")'
            cand --namespace 'Namespace (default: the context''s namespace, then "default")'
            cand --request-timeout 'How long to wait for one API request, e.g. 10s, 1m; 0 waits forever'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kubectl-kruise;rollout;pause'= {
            cand --dry-run 'Only show what would change: `client` sends no write, `server` has the API server check the write without storing it. Nothing is changed either way'
            cand -o 'Print the updated object instead of a one-line result'
            cand --output 'Print the updated object instead of a one-line result'
            cand --kubeconfig 'Path to the kubeconfig file (default: $KUBECONFIG, a list merged as kubectl does, then ~/.kube/config)'
            cand --context 'The kubeconfig context to use'
            cand --cluster 'The kubeconfig cluster to use'
            cand --user 'The kubeconfig user to use'
            cand -n 'Namespace (default: the context''s namespace, then "default")'
            cand --namespace 'Namespace (default: the context''s namespace, then "default")'
            cand --request-timeout 'How long to wait for one API request, e.g. 10s, 1m; 0 waits forever'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kubectl-kruise;rollout;resume'= {
            cand --dry-run 'Only show what would change: `client` sends no write, `server` has the API server check the write without storing it. Nothing is changed either way'
            cand -o 'Print the updated object instead of a one-line result'
            cand --output 'Print the updated object instead of a one-line result'
            cand --kubeconfig 'Path to the kubeconfig file (default: $KUBECONFIG, a list merged as kubectl does, then ~/.kube/config)'
            cand --context 'The kubeconfig context to use'
            cand --cluster 'The kubeconfig cluster to use'
            cand --user 'The kubeconfig user to use'
            cand -n 'Namespace (default: the context''s namespace, then "default")'
            cand --namespace 'Namespace (default: the context''s namespace, then "default")'
            cand --request-timeout 'How long to wait for one API request, e.g. 10s, 1m; 0 waits forever'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kubectl-kruise;rollout;undo'= {
            cand --to-revision 'Restore this revision (see `rollout history`) instead of the stable one'
            cand --dry-run 'Only show what would change: `client` sends no write, `server` has the API server check the write without storing it. Nothing is changed either way'
            cand -o 'Print the updated object instead of a one-line result'
            cand --output 'Print the updated object instead of a one-line result'
            cand --kubeconfig 'Path to the kubeconfig file (default: $KUBECONFIG, a list merged as kubectl does, then ~/.kube/config)'
            cand --context 'The kubeconfig context to use'
            cand --cluster 'The kubeconfig cluster to use'
            cand --user 'The kubeconfig user to use'
            cand -n 'Namespace (default: the context''s namespace, then "default")'
            cand --namespace 'Namespace (default: the context''s namespace, then "default")'
            cand --request-timeout 'How long to wait for one API request, e.g. 10s, 1m; 0 waits forever'
            cand --fast 'Step the release back to the latest earlier step without traffic (writes the rollout''s nextStepIndex; Kruise Rollouts v0.6+) instead of restoring the template'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kubectl-kruise;rollout;status'= {
            cand -o 'Print a summary for scripts (documented in the README) instead of the view'
            cand --output 'Print a summary for scripts (documented in the README) instead of the view'
            cand --kubeconfig 'Path to the kubeconfig file (default: $KUBECONFIG, a list merged as kubectl does, then ~/.kube/config)'
            cand --context 'The kubeconfig context to use'
            cand --cluster 'The kubeconfig cluster to use'
            cand --user 'The kubeconfig user to use'
            cand -n 'Namespace (default: the context''s namespace, then "default")'
            cand --namespace 'Namespace (default: the context''s namespace, then "default")'
            cand --request-timeout 'How long to wait for one API request, e.g. 10s, 1m; 0 waits forever'
            cand -w 'Follow the rollout until it completes, waits for approval, or fails'
            cand --watch 'Follow the rollout until it completes, waits for approval, or fails'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kubectl-kruise;rollout;history'= {
            cand --revision 'Show one revision in full, with its pod template'
            cand -o 'Print the history for scripts instead of a table'
            cand --output 'Print the history for scripts instead of a table'
            cand --kubeconfig 'Path to the kubeconfig file (default: $KUBECONFIG, a list merged as kubectl does, then ~/.kube/config)'
            cand --context 'The kubeconfig context to use'
            cand --cluster 'The kubeconfig cluster to use'
            cand --user 'The kubeconfig user to use'
            cand -n 'Namespace (default: the context''s namespace, then "default")'
            cand --namespace 'Namespace (default: the context''s namespace, then "default")'
            cand --request-timeout 'How long to wait for one API request, e.g. 10s, 1m; 0 waits forever'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kubectl-kruise;rollout;list'= {
            cand -o 'Print summaries for scripts, or only names'
            cand --output 'Print summaries for scripts, or only names'
            cand --chunk-size 'How many rollouts to fetch per request; memory stays flat however many there are'
            cand --kubeconfig 'Path to the kubeconfig file (default: $KUBECONFIG, a list merged as kubectl does, then ~/.kube/config)'
            cand --context 'The kubeconfig context to use'
            cand --cluster 'The kubeconfig cluster to use'
            cand --user 'The kubeconfig user to use'
            cand -n 'Namespace (default: the context''s namespace, then "default")'
            cand --namespace 'Namespace (default: the context''s namespace, then "default")'
            cand --request-timeout 'How long to wait for one API request, e.g. 10s, 1m; 0 waits forever'
            cand -A 'List rollouts in every namespace'
            cand --all-namespaces 'List rollouts in every namespace'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kubectl-kruise;rollout;ls'= {
            cand -o 'Print summaries for scripts, or only names'
            cand --output 'Print summaries for scripts, or only names'
            cand --chunk-size 'How many rollouts to fetch per request; memory stays flat however many there are'
            cand --kubeconfig 'Path to the kubeconfig file (default: $KUBECONFIG, a list merged as kubectl does, then ~/.kube/config)'
            cand --context 'The kubeconfig context to use'
            cand --cluster 'The kubeconfig cluster to use'
            cand --user 'The kubeconfig user to use'
            cand -n 'Namespace (default: the context''s namespace, then "default")'
            cand --namespace 'Namespace (default: the context''s namespace, then "default")'
            cand --request-timeout 'How long to wait for one API request, e.g. 10s, 1m; 0 waits forever'
            cand -A 'List rollouts in every namespace'
            cand --all-namespaces 'List rollouts in every namespace'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kubectl-kruise;completion'= {
            cand --kubeconfig 'Path to the kubeconfig file (default: $KUBECONFIG, a list merged as kubectl does, then ~/.kube/config)'
            cand --context 'The kubeconfig context to use'
            cand --cluster 'The kubeconfig cluster to use'
            cand --user 'The kubeconfig user to use'
            cand -n 'Namespace (default: the context''s namespace, then "default")'
            cand --namespace 'Namespace (default: the context''s namespace, then "default")'
            cand --request-timeout 'How long to wait for one API request, e.g. 10s, 1m; 0 waits forever'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kubectl-kruise;version'= {
            cand --kubeconfig 'Path to the kubeconfig file (default: $KUBECONFIG, a list merged as kubectl does, then ~/.kube/config)'
            cand --context 'The kubeconfig context to use'
            cand --cluster 'The kubeconfig cluster to use'
            cand --user 'The kubeconfig user to use'
            cand -n 'Namespace (default: the context''s namespace, then "default")'
            cand --namespace 'Namespace (default: the context''s namespace, then "default")'
            cand --request-timeout 'How long to wait for one API request, e.g. 10s, 1m; 0 waits forever'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
    ]
    $completions[$command]
}
