-- HealthAnomalyInsert: anomalies found in one sweep, as parallel arrays.
--   $1 worker_ids uuid[]    $2 metrics text[]    $3 baselines text[]    $4 values float8[]
--   $5 means float8[]    $6 stddevs float8[]    $7 z_scores float8[]
INSERT INTO health_anomalies (worker_id, metric, baseline, value, mean, stddev, z_score)
SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::float8[], $5::float8[], $6::float8[], $7::float8[]);
