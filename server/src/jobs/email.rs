//! The email job: digests of what the bell did not show in time. Each pass
//! finds users with a notification unread and unseen in every tab for
//! `HERALD_EMAIL_AFTER_MINUTES`, in a category they are emailed about, and
//! whose last digest is `HERALD_EMAIL_INTERVAL_MINUTES` old; it queues one
//! digest each (`Store::queue_digest`: decided and queued in one
//! transaction, once across instances), then sends what the outbox holds
//! over SMTP (lettre), claiming each attempt first and trying again with
//! backoff when the mail server does not take it.

use std::sync::Arc;
use std::time::Duration;

use herald::{Notification, t};
use lettre::message::header::{Header, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use tokio_util::sync::CancellationToken;
use url::Url;

use crate::config::Config;
use crate::html::escape;
use crate::identity::unsubscribe::{SECRET_NAME, Unsubscribe};
use crate::jobs::webhooks::backoff_ms;
use crate::store::{DigestDraft, MAX_ATTEMPTS, Outgoing, Rendered, Store, now_ms};

/// How often the job looks for digests to make and send: a tenth of the
/// wait before emailing, between these bounds.
const EVERY_MIN: Duration = Duration::from_millis(200);
const EVERY_MAX: Duration = Duration::from_secs(30);
/// How long one SMTP conversation may take.
const TIMEOUT: Duration = Duration::from_secs(20);
/// Users (and emails) handled per pass.
const PER_PASS: i64 = 50;

/// Starts the job when `HERALD_SMTP_URL` is set. A setting it cannot use
/// (no public URL for the links, an unreadable SMTP URL or sender) is an
/// error: Herald then sends no email rather than broken ones.
pub async fn spawn(
    store: Store,
    config: Arc<Config>,
    shutdown: CancellationToken,
) -> Result<(), String> {
    let Some(smtp) = config.smtp_url.clone() else {
        return Ok(());
    };
    let base = config
        .public_url
        .clone()
        .ok_or("HERALD_SMTP_URL needs HERALD_PUBLIC_URL, for the links in the digests")?;
    // The URL holds a password: errors about it never quote it.
    let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&smtp)
        .map_err(|_| "HERALD_SMTP_URL is not a usable smtp:// or smtps:// URL".to_owned())?
        .timeout(Some(TIMEOUT))
        .build();
    let from: Mailbox = config
        .email_from
        .parse()
        .map_err(|e| format!("HERALD_EMAIL_FROM is not an address: {e}"))?;
    let secret = store
        .shared_secret(SECRET_NAME)
        .await
        .map_err(|e| e.to_string())?;
    let job = Job {
        store,
        transport,
        from,
        base,
        secret,
        after_ms: config.email_after_ms(),
        interval_ms: config.email_interval_ms(),
        retry_ms: config.email_retry_ms,
    };
    let every = Duration::from_millis((job.after_ms / 10) as u64).clamp(EVERY_MIN, EVERY_MAX);
    tokio::spawn(async move {
        loop {
            job.make_digests().await;
            job.send_due().await;
            tokio::select! {
                _ = shutdown.cancelled() => return,
                _ = tokio::time::sleep(every) => {}
            }
        }
    });
    Ok(())
}

struct Job {
    store: Store,
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    base: Url,
    secret: [u8; 32],
    after_ms: i64,
    interval_ms: i64,
    retry_ms: u64,
}

impl Job {
    async fn make_digests(&self) {
        let now = now_ms();
        let (unseen_before, last_before) = (now - self.after_ms, now - self.interval_ms);
        let users = match self
            .store
            .digest_candidates(unseen_before, last_before, PER_PASS)
            .await
        {
            Ok(users) => users,
            Err(error) => return tracing::warn!(%error, "cannot look for email digests"),
        };
        for user in users {
            let queued = self
                .store
                .queue_digest(user, unseen_before, last_before, |draft| self.render(draft))
                .await;
            match queued {
                Ok(true) => tracing::info!(user, "email digest queued"),
                Ok(false) => {}
                Err(error) => tracing::warn!(%error, user, "cannot queue an email digest"),
            }
        }
    }

    async fn send_due(&self) {
        let due = match self.store.due_emails(now_ms(), PER_PASS).await {
            Ok(due) => due,
            Err(error) => return tracing::warn!(%error, "cannot read the email outbox"),
        };
        for email in due {
            let now = now_ms();
            // Held past the attempt's timeout: no other instance sends it meanwhile.
            let held = now + 2 * TIMEOUT.as_millis() as i64;
            match self.store.claim_email(email.id, now, held).await {
                Ok(true) => {}
                Ok(false) => continue,
                Err(error) => {
                    tracing::warn!(%error, "cannot claim an email");
                    continue;
                }
            }
            let attempts = email.attempts + 1;
            // The whole conversation within the claim (lettre's timeout is
            // per step), so no other instance takes it meanwhile.
            let outcome = tokio::time::timeout(TIMEOUT, self.send(&email))
                .await
                .unwrap_or_else(|_| Err("the mail server took too long".to_owned()));
            let retry_at = (outcome.is_err() && attempts < MAX_ATTEMPTS)
                .then(|| now_ms() + backoff_ms(self.retry_ms, attempts) as i64);
            if let Err(error) = &outcome {
                tracing::warn!(email = email.id, attempts, %error, "email not sent");
            }
            let error = outcome.err();
            if let Err(error) = self
                .store
                .email_attempted(email.id, error.as_deref(), retry_at)
                .await
            {
                tracing::warn!(%error, "cannot record an email attempt");
            }
        }
    }

    async fn send(&self, email: &Outgoing) -> Result<(), String> {
        let to: Mailbox = email
            .to_address
            .parse()
            .map_err(|e| format!("not an address: {e}"))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(&email.subject)
            .header(ListUnsubscribe(format!("<{}>", email.unsubscribe)))
            .header(ListUnsubscribePost)
            .multipart(MultiPart::alternative_plain_html(
                email.text_body.clone(),
                email.html_body.clone(),
            ))
            .map_err(|e| e.to_string())?;
        self.transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    }

    fn link(&self, path: &str) -> String {
        self.base
            .join(path)
            .map(String::from)
            .unwrap_or_else(|_| path.to_owned())
    }

    /// The digest's subject, plain text and HTML (every user text escaped).
    fn render(&self, draft: &DigestDraft) -> Rendered {
        let unsubscribe = Unsubscribe {
            user: draft.user,
            categories: draft.categories(),
        };
        let unsubscribe = self.link(&format!(
            "/email/unsubscribe?{}",
            unsubscribe.query(&self.secret)
        ));
        render(draft, &self.link("/"), unsubscribe, |id| {
            self.link(&format!("/notifications/{id}/open"))
        })
    }
}

/// A digest as an email: what it lists, with `open` linking each item.
pub fn render(
    draft: &DigestDraft,
    inbox: &str,
    unsubscribe: String,
    open: impl Fn(i64) -> String,
) -> Rendered {
    let l = draft.locale;
    let count = draft.items.len();
    let subject = match draft.items.first() {
        Some(n) if count == 1 => t!(l, "email-subject-one", title = one_line(&n.title)),
        _ => t!(l, "email-subject-many", count = count as i64),
    };
    let greeting = match draft.name.as_deref() {
        Some(name) => t!(l, "email-greeting-name", name = one_line(name)),
        None => t!(l, "email-greeting"),
    };
    let categories: Vec<String> = draft.categories().iter().map(|c| c.label(l)).collect();
    let because = t!(l, "email-because", categories = categories.join(", "));
    let (away, all, stop) = (
        t!(l, "email-while-away"),
        t!(l, "email-all"),
        t!(l, "email-stop"),
    );

    let mut text = format!("{greeting}\n\n{away}\n\n");
    for n in &draft.items {
        text.push_str(&format!("* {}\n", one_line(&n.title)));
        if !n.body.is_empty() {
            text.push_str(&format!("  {}\n", n.body.replace('\n', "\n  ")));
        }
        text.push_str(&format!("  {}\n\n", open(n.id)));
    }
    text.push_str(&format!(
        "{all}: {inbox}\n\n{because} {stop}: {unsubscribe}\n"
    ));

    let items: String = draft
        .items
        .iter()
        .map(|n| item_html(n, &open(n.id)))
        .collect();
    let html = format!(
        "<!doctype html><html lang=\"{lang}\"><head><meta charset=\"utf-8\"><title>{subject}</title></head>\
         <body style=\"margin:0;padding:24px;background:#f6f7f9;font:15px/1.5 system-ui,sans-serif;color:#1d2330\">\
         <div style=\"max-width:560px;margin:0 auto;background:#fff;border:1px solid #e4e7ec;border-radius:10px;padding:24px\">\
         <p style=\"margin:0 0 4px;font-weight:700;color:#4f46e5\">Herald</p>\
         <p>{greeting}</p><p>{away}</p>\
         <ul style=\"list-style:none;padding:0;margin:0\">{items}</ul>\
         <p style=\"margin-top:20px\"><a href=\"{inbox}\" style=\"color:#4f46e5\">{all}</a></p>\
         <p style=\"color:#667085;font-size:13px\">{because} \
         <a href=\"{unsubscribe}\" style=\"color:#667085\">{stop}</a></p>\
         </div></body></html>",
        lang = l.tag(),
        subject = escape(&subject),
        greeting = escape(&greeting),
        away = escape(&away),
        inbox = escape(inbox),
        all = escape(&all),
        because = escape(&because),
        stop = escape(&stop),
        unsubscribe = escape(&unsubscribe),
    );
    Rendered {
        subject,
        text,
        html,
        unsubscribe,
    }
}

fn item_html(n: &Notification, open: &str) -> String {
    let actor = n
        .actor
        .as_deref()
        .map(|a| format!("<span style=\"color:#667085\"> · {}</span>", escape(a)))
        .unwrap_or_default();
    let body = if n.body.is_empty() {
        String::new()
    } else {
        format!(
            "<p style=\"margin:2px 0 0;white-space:pre-line\">{}</p>",
            escape(&n.body)
        )
    };
    format!(
        "<li style=\"padding:12px 0;border-top:1px solid #e4e7ec\">\
         <a href=\"{}\" style=\"color:#1d2330;font-weight:600;text-decoration:none\">{}</a>{actor}{body}</li>",
        escape(open),
        escape(&n.title)
    )
}

/// User text on one line: a header (the subject) must not break.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `List-Unsubscribe: <https://…>` (RFC 2369).
#[derive(Clone, Debug)]
struct ListUnsubscribe(String);

impl Header for ListUnsubscribe {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe")
    }

    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(ListUnsubscribe(s.to_owned()))
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), self.0.clone())
    }
}

/// `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058): a mail
/// client may unsubscribe with one POST to the link.
#[derive(Clone, Debug)]
struct ListUnsubscribePost;

impl Header for ListUnsubscribePost {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe-Post")
    }

    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(ListUnsubscribePost)
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "List-Unsubscribe=One-Click".to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use herald::Category;
    use herald::i18n::Locale;

    #[test]
    fn user_text_is_escaped_in_html_and_kept_on_one_line_in_the_subject() {
        let n = Notification {
            id: 5,
            seq: 1,
            version: 1,
            title: "<script>alert(1)</script>\r\nBcc: x@y.z".into(),
            body: "a & b".into(),
            link: None,
            category: Category::Mention,
            actor: Some("\"Ana\"".into()),
            created_at: 0,
            seen_at: None,
            read_at: None,
            archived_at: None,
            retracted_at: None,
            snoozed_until: None,
            muted: false,
            actions: Vec::new(),
            interacted_at: None,
            chosen_action: None,
            group_key: None,
            group: None,
        };
        let draft = DigestDraft {
            user: 1,
            to: "ana@example.com".into(),
            name: Some("Ana <b>".into()),
            locale: Locale::En,
            items: vec![n.clone()],
        };
        let email = render(
            &draft,
            "https://h.example/",
            "https://h.example/u".into(),
            |id| format!("https://h.example/notifications/{id}/open"),
        );
        assert!(!email.subject.contains('\n') && !email.subject.contains('\r'));
        assert!(!email.html.contains("<script>"));
        assert!(email.html.contains("&lt;script&gt;") && email.html.contains("a &amp; b"));
        assert!(email.html.contains("Hello Ana &lt;b&gt;,"));
        assert!(
            email
                .text
                .contains("https://h.example/notifications/5/open")
        );
        assert!(email.html.contains("While you were away:"));

        // In the language the user chose: every word but the sender's.
        let second = Notification { id: 6, ..n };
        let german = DigestDraft {
            locale: Locale::De,
            items: vec![second.clone(), second],
            ..draft
        };
        let email = render(
            &german,
            "https://h.example/",
            "https://h.example/u".into(),
            |id| format!("https://h.example/notifications/{id}/open"),
        );
        assert_eq!(email.subject, "Sie haben 2 ungelesene Benachrichtigungen");
        assert!(email.html.starts_with("<!doctype html><html lang=\"de\">"));
        assert!(email.html.contains("Hallo Ana &lt;b&gt;,"));
        assert!(
            email
                .html
                .contains("weil E-Mails für Erwähnung eingeschaltet sind")
        );
        assert!(
            email
                .text
                .contains("Alle Ihre Benachrichtigungen: https://h.example/")
        );
        assert!(
            email
                .text
                .contains("Diese E-Mails abbestellen: https://h.example/u")
        );
    }
}
