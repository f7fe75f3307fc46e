-- +goose Up
-- A staff step that waits for a reply (the tracking number of a return
-- shipped to its seller) is a declared state: the question's post records
-- which, and only a reply to that post answers it.
ALTER TABLE staff_posts DROP CONSTRAINT staff_posts_kind_check;
ALTER TABLE staff_posts ADD CONSTRAINT staff_posts_kind_check CHECK (kind IN ('relay', 'card', 'question'));
ALTER TABLE staff_posts ADD COLUMN question text NOT NULL DEFAULT '';

-- +goose Down
DELETE FROM staff_posts WHERE kind = 'question';
ALTER TABLE staff_posts DROP COLUMN question;
ALTER TABLE staff_posts DROP CONSTRAINT staff_posts_kind_check;
ALTER TABLE staff_posts ADD CONSTRAINT staff_posts_kind_check CHECK (kind IN ('relay', 'card'));
