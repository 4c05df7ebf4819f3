-- 0004 trace context: the W3C traceparent of the span that created a job, so each attempt's
-- spans on a worker join the trace of the request that created it (null when nothing traced it).
ALTER TABLE jobs ADD COLUMN trace_parent text CHECK (length(trace_parent) <= 256);
