//! Which clusters a command runs in, and how each is reached: a kubeconfig context, or a
//! member cluster through the current context's hub.

use std::sync::Arc;

use anyhow::Result;

use super::options::connect_options;
use crate::cli::ClusterArgs;
use crate::cluster::hub::{self, HubKind};
use crate::cluster::{self, Cluster, ConnectOptions, Connector};

/// One cluster the command runs in.
pub struct Target {
    pub name: String,
    reach: Reach,
}

enum Reach {
    /// What the global flags select (one cluster).
    Current,
    Context(String),
    /// A member, through the hub's proxy path.
    Member(Arc<Connector>, String),
}

impl Target {
    /// The one cluster the global flags select, named `name`.
    pub fn current(name: &str) -> Target {
        Target {
            name: name.to_string(),
            reach: Reach::Current,
        }
    }

    pub async fn connect(&self, opts: &ConnectOptions) -> Result<Cluster> {
        let cluster = match &self.reach {
            Reach::Current => cluster::connect(opts).await?,
            Reach::Context(c) => {
                cluster::connect(&ConnectOptions {
                    context: Some(c.clone()),
                    ..opts.clone()
                })
                .await?
            }
            Reach::Member(hub, path) => hub.cluster(Some(path))?,
        };
        cluster.warnings.from_cluster(&self.name);
        Ok(cluster)
    }
}

/// The clusters the flags name, in the order given (`--all-contexts`: the kubeconfig's).
pub async fn targets(args: &ClusterArgs) -> Result<Vec<Target>> {
    targets_with(args, &connect_options(args)).await
}

/// The clusters the flags name, reached with `opts` (the dashboard names itself in them).
pub async fn targets_with(args: &ClusterArgs, opts: &ConnectOptions) -> Result<Vec<Target>> {
    let opts = opts.clone();
    if !args.member_clusters.is_empty() {
        let connector = Arc::new(Connector::new(&opts).await?);
        let (kind, members) = hub::members(&connector.cluster(None)?).await?;
        let names = match members {
            Some(members) if args.member_clusters == ["all"] => {
                if members.is_empty() {
                    anyhow::bail!("the hub has no member clusters ({})", kind.describe());
                }
                members
            }
            Some(members) => chosen(&args.member_clusters, &members, "member cluster", kind)?,
            None if args.member_clusters == ["all"] => anyhow::bail!(
                "--member-clusters=all needs the right to list the hub's members ({}): name \
                 the members instead",
                kind.describe()
            ),
            // Not allowed to list them: the members named are reached as given (a name the
            // hub does not know is that member's error).
            None => chosen(
                &args.member_clusters,
                &args.member_clusters,
                "member cluster",
                kind,
            )?,
        };
        return Ok(names
            .into_iter()
            .map(|name| Target {
                reach: Reach::Member(connector.clone(), kind.proxy_path(&name)),
                name,
            })
            .collect());
    }
    let (known, _) = cluster::context_names(&opts)?;
    let names = if args.all_contexts {
        if known.is_empty() {
            anyhow::bail!("the kubeconfig has no contexts");
        }
        known
    } else {
        let mut names = Vec::new();
        for c in &args.contexts {
            if !known.contains(c) {
                anyhow::bail!(
                    "context \"{c}\" does not exist in the kubeconfig (it has: {})",
                    known.join(", ")
                );
            }
            if !names.contains(c) {
                names.push(c.clone());
            }
        }
        names
    };
    Ok(names
        .into_iter()
        .map(|name| Target {
            reach: Reach::Context(name.clone()),
            name,
        })
        .collect())
}

fn chosen(wanted: &[String], known: &[String], what: &str, kind: HubKind) -> Result<Vec<String>> {
    let mut names: Vec<String> = Vec::new();
    for w in wanted {
        if !known.contains(w) {
            anyhow::bail!(
                "no {what} \"{w}\" on the hub ({}; it has: {})",
                kind.describe(),
                if known.is_empty() {
                    "none".to_string()
                } else {
                    known.join(", ")
                }
            );
        }
        if !names.contains(w) {
            names.push(w.clone());
        }
    }
    Ok(names)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chosen_members_keep_their_order_and_unknown_ones_are_named() {
        let known = vec!["eu".to_string(), "us".to_string()];
        let got = chosen(
            &["us".into(), "eu".into(), "us".into()],
            &known,
            "member",
            HubKind::Karmada,
        )
        .unwrap();
        assert_eq!(got, vec!["us", "eu"]);
        let err = chosen(&["asia".into()], &known, "member cluster", HubKind::Karmada).unwrap_err();
        assert_eq!(
            err.to_string(),
            "no member cluster \"asia\" on the hub (Karmada Cluster; it has: eu, us)"
        );
    }
}
