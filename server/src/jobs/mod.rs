//! Background work: broadcast fan-out, webhook, push and email deliveries, the
//! purge job and due changes (snoozes ending, notifications expiring).

pub mod broadcast;
pub mod email;
pub mod housekeeping;
pub mod outbound;
pub mod push;
pub mod webhooks;
