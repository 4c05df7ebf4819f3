-- JobGetPriorities: which of these jobs exist, and their own priorities (a new job that names
-- them in dependsOn must find them all, and inherits the highest when it gives none).
--   $1 ids uuid[]
SELECT id, priority FROM jobs WHERE id = ANY($1);
