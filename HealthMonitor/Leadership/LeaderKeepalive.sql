-- LeaderKeepalive: has the server probe this session, so that a leader cut off by the network
-- (no FIN, no RST) loses its lock within seconds rather than the operating system's two hours:
-- after $1 seconds of silence, every $2 seconds, $3 times; and it gives up on data
-- unacknowledged for $4 milliseconds. set_config takes text, so the values are sent as text.
--   $1 idle, $2 interval, $3 count, $4 user timeout (ms)
SELECT set_config('tcp_keepalives_idle', $1, false),
       set_config('tcp_keepalives_interval', $2, false),
       set_config('tcp_keepalives_count', $3, false),
       set_config('tcp_user_timeout', $4, false);
