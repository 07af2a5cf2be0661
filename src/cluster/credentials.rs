//! Errors from the kubeconfig and its credentials, described without the credentials.
//!
//! kube's own messages quote what they failed on: a kubeconfig parse error shows the lines
//! around the fault (a `token:` line among them), and a failed exec credential plugin prints
//! its command with its environment and arguments (an API key, a client secret) and its
//! whole output (the token). These functions say what failed and where, from the error's
//! kind alone, and never include text the error carries.

use kube::client::AuthError;
use kube::config::KubeconfigError;

/// Where in a YAML document a parse error is, without any of the document's text.
fn yaml_place(e: &serde_saphyr::Error) -> String {
    match e.location() {
        Some(l) => format!("at line {}, column {}", l.line(), l.column()),
        None => "somewhere in it".to_string(),
    }
}

/// A kubeconfig error, safe to print.
pub fn describe_config(e: &KubeconfigError) -> String {
    match e {
        KubeconfigError::Parse(p) => format!(
            "it is not a valid kubeconfig: a YAML or type error {} (its text is not shown, it may hold credentials)",
            yaml_place(p)
        ),
        KubeconfigError::ReadConfig(io, path) => {
            format!("cannot read {}: {io}", path.display())
        }
        KubeconfigError::CurrentContextNotSet => {
            "no current context is set; pass --context".to_string()
        }
        KubeconfigError::LoadContext(name) => {
            format!("context \"{name}\" does not exist in the kubeconfig")
        }
        KubeconfigError::LoadClusterOfContext(name) => {
            format!("cluster \"{name}\" does not exist in the kubeconfig")
        }
        KubeconfigError::MissingClusterUrl => "the cluster has no server address".to_string(),
        KubeconfigError::ParseClusterUrl(_) => "the cluster's server address is not a URL".to_string(),
        KubeconfigError::LoadCertificateAuthority(_) => {
            "cannot load the certificate authority (certificate-authority or certificate-authority-data)".to_string()
        }
        KubeconfigError::LoadClientCertificate(_) => {
            "cannot load the client certificate (client-certificate or client-certificate-data)".to_string()
        }
        KubeconfigError::LoadClientKey(_) => {
            "cannot load the client key (client-key or client-key-data)".to_string()
        }
        KubeconfigError::ParseCertificates(_) => {
            "a certificate in the kubeconfig is not valid PEM".to_string()
        }
        // The rest carry no file content; their own words are safe.
        other => other.to_string(),
    }
}

/// An authentication error (exec plugin, token file, OIDC), safe to print.
pub fn describe_auth(e: &AuthError) -> String {
    match e {
        AuthError::AuthExecStart(io) => {
            format!("cannot start the kubeconfig's exec credential plugin: {io}")
        }
        AuthError::AuthExecRun { out, .. } => format!(
            "the kubeconfig's exec credential plugin failed ({}); run it by hand to see why",
            out.status
        ),
        AuthError::AuthExecParse(p) => format!(
            "the kubeconfig's exec credential plugin printed something that is not an \
             ExecCredential (a parse error {}; its output is not shown, it may hold a token)",
            yaml_place(p)
        ),
        AuthError::ExecPluginFailed => {
            "the kubeconfig's exec credential plugin returned no status".to_string()
        }
        AuthError::AuthExec(_) => {
            "the kubeconfig's exec credential plugin could not be used".to_string()
        }
        AuthError::AuthExecSerialize(_) => {
            "cannot prepare the exec credential plugin's input".to_string()
        }
        AuthError::InvalidBearerToken(_) => {
            "the bearer token is not a valid HTTP header value".to_string()
        }
        AuthError::InvalidBasicAuth(_) => {
            "the username or password is not a valid HTTP header value".to_string()
        }
        AuthError::ReadTokenFile(io, path) => {
            format!("cannot read the token file {}: {io}", path.display())
        }
        AuthError::ParseTokenKey(_) => "the auth provider's token-key is not valid".to_string(),
        AuthError::MalformedTokenExpirationDate(_) => {
            "the credential's expiration date is not a valid timestamp".to_string()
        }
        AuthError::Oidc(_) => "the OIDC auth provider failed to refresh its token".to_string(),
        other => other.to_string(),
    }
}

/// Any kube error, with authentication and kubeconfig errors described safely.
pub fn describe(e: &kube::Error) -> String {
    match e {
        kube::Error::Auth(a) => describe_auth(a),
        kube::Error::InferKubeconfig(k) => describe_config(k),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kubeconfig_parse_error_gives_the_place_not_the_text() {
        let text = "users:\n- name: u\n  user:\n    token: SUPERSECRET\n  : broken\n";
        let e = kube::config::Kubeconfig::from_yaml(text).unwrap_err();
        let msg = describe_config(&e);
        assert!(!msg.contains("SUPERSECRET"), "{msg}");
        assert!(msg.contains("at line 5"), "{msg}");
    }
}
