-- Which webhook action its recipient chose (the action's index): webhook
-- actions are a choice made once (Approve or Decline), while link actions
-- may be followed any time, so clicking a link first never spends it.
ALTER TABLE notifications ADD COLUMN chosen_action INTEGER;
-- Webhook actions clicked before this column existed were POSTed once per
-- notification: that one delivery's action is the choice already made.
UPDATE notifications SET chosen_action = (
    SELECT json_extract(d.body, '$.action.index') FROM webhook_deliveries d
    WHERE d.notification_id = notifications.id ORDER BY d.id LIMIT 1)
WHERE id IN (SELECT notification_id FROM webhook_deliveries);
