-- HealthAnomalyInsert: anomalies found in one sweep, as parallel arrays, with their evidence.
--   $1 worker_ids uuid[]    $2 metrics text[]    $3 baselines text[]    $4 values float8[]
--   $5 means float8[]    $6 stddevs float8[]    $7 z_scores float8[]    $8 medians float8[]
--   $9 spreads float8[]    $10 deviations float8[]    $11 floors float8[]
--   $12 fleet_medians float8[] (null elements: the worker was alone)
INSERT INTO health_anomalies (worker_id, metric, baseline, value, mean, stddev, z_score, median, spread, deviation, floor, fleet_median)
SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::float8[], $5::float8[], $6::float8[], $7::float8[],
                     $8::float8[], $9::float8[], $10::float8[], $11::float8[], $12::float8[]);
