//! Following a rollout live (`status --watch`): redrawn in place on a terminal, one line or
//! document per change otherwise.

use anyhow::Result;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::model::summary::Summary;

/// How changes are shown.
pub enum LiveMode {
    /// Redraw the status view in place (stdout is a terminal).
    Terminal,
    /// One line per change, for logs.
    Lines,
    /// One compact JSON summary per line.
    JsonLines,
    /// YAML documents separated by `---`.
    Yaml,
    /// Nothing: one of many followed at once, where only the end of each is reported.
    Quiet,
}

pub struct Live {
    mode: LiveMode,
    bar: Option<ProgressBar>,
    last: Option<Summary>,
}

impl Live {
    pub fn new(mode: LiveMode) -> Self {
        let bar = matches!(mode, LiveMode::Terminal).then(|| {
            let pb = ProgressBar::with_draw_target(None, ProgressDrawTarget::stdout());
            if let Ok(style) = ProgressStyle::with_template("{msg}") {
                pb.set_style(style);
            }
            pb
        });
        Live {
            mode,
            bar,
            last: None,
        }
    }

    /// Show `s` if it differs from what is on screen.
    pub fn show(&mut self, s: &Summary) -> Result<()> {
        if self.last.as_ref() == Some(s) {
            return Ok(());
        }
        // Through the output scope: in one cluster of several, each line is tagged with it.
        let text = match self.mode {
            LiveMode::Terminal => {
                if let Some(pb) = &self.bar {
                    pb.set_message(super::status_view(s).trim_end().to_string());
                }
                String::new()
            }
            LiveMode::Lines => {
                let now = jiff::Timestamp::now()
                    .round(jiff::Unit::Second)
                    .unwrap_or(jiff::Timestamp::now());
                format!("{now} {}\n", super::status_line(&s.view))
            }
            LiveMode::JsonLines => format!("{}\n", serde_json::to_string(s)?),
            LiveMode::Yaml if self.last.is_some() => format!("---\n{}", super::yaml(s)?),
            LiveMode::Yaml => super::yaml(s)?,
            LiveMode::Quiet => String::new(),
        };
        if !text.is_empty() {
            crate::output::out(&text)?;
        }
        self.last = Some(s.clone());
        Ok(())
    }

    /// Leave the last view on screen.
    pub fn finish(&self) {
        if let Some(pb) = &self.bar {
            pb.finish();
        }
    }
}
