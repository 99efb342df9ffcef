-- Which webhook action its recipient chose (the action's index): webhook
-- actions are a choice made once (Approve or Decline), while link actions
-- may be followed any time, so clicking a link first never spends it.
ALTER TABLE notifications ADD COLUMN chosen_action INTEGER;
