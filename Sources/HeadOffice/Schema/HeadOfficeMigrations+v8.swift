extension HeadOfficeMigrations {
    /// v8: member rows of each region, like the chain's: per region, person and day, week, month, quarter and year
    /// (scope `region:` + the region's name; a store id has no colon, so the scopes never meet). Until v7 a region's
    /// people were counted from its stores' day rows at read time: a region's quarter by week counted 35 000 rows
    /// and took 385 ms at a fifth of the benchmark's size, and would grow with the data. With its own rows and
    /// counters a region reads a handful of counters, as the chain does.
    ///
    /// A region row also carries the person's online touchpoints of that period (the chain row's count), so that
    /// "seen in this region's stores and online" is a counter too. Both writers keep that copy exact under
    /// concurrency because they change the chain row first: the visits' step upserts it (v6) before it creates the
    /// region row from it, and the touchpoints' step upserts it before it updates the region rows. The chain row's
    /// lock orders them.
    ///
    /// A store's region is set when it is registered and never changes; a change would need `report_rebuild()`.
    static let v8 = v8Visits + v8Touchpoints + v8Backfill

    /// The regions' step after v6's stores' and chain's, which keeps its name under a new one.
    private static let v8Visits = """
        ALTER FUNCTION report_apply_visits(report_visit_delta[]) RENAME TO report_apply_store_and_chain_visits;
        CREATE FUNCTION report_apply_visits(d report_visit_delta[]) RETURNS void LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM report_apply_store_and_chain_visits(d);
            WITH e AS (
                SELECT 'region:' || s.region AS scope, c.grain, c.bucket, x.profile_id, sum(x.sign)::integer AS dv
                FROM unnest(d) AS x JOIN store s ON s.id = x.store_id AND s.region IS NOT NULL
                CROSS JOIN LATERAL report_chain_buckets(x.day) AS c
                WHERE x.profile_id IS NOT NULL
                GROUP BY 1, 2, 3, 4 HAVING sum(x.sign) <> 0),
            up AS (
                INSERT INTO report_customer_bucket AS t (scope, grain, bucket, profile_id, visits, touchpoints)
                SELECT e.scope, e.grain, e.bucket, e.profile_id, e.dv, COALESCE(chain.touchpoints, 0)
                FROM e LEFT JOIN report_customer_bucket chain
                  ON chain.scope = '*' AND chain.grain = e.grain AND chain.bucket = e.bucket AND chain.profile_id = e.profile_id
                ORDER BY 1, 2, 3, 4
                ON CONFLICT (scope, grain, bucket, profile_id) DO UPDATE SET visits = t.visits + excluded.visits
                RETURNING t.scope, t.grain, t.bucket, t.profile_id, t.visits, t.touchpoints),
            changed AS (
                SELECT up.scope, up.grain, up.bucket,
                       sum((up.visits > 0)::integer - (up.visits - e.dv > 0)::integer) AS customers,
                       sum((up.visits > 1)::integer - (up.visits - e.dv > 1)::integer) AS repeaters,
                       sum(((up.visits > 0 AND up.touchpoints > 0)::integer - (up.visits - e.dv > 0 AND up.touchpoints > 0)::integer)) AS omni
                FROM up JOIN e USING (scope, grain, bucket, profile_id)
                GROUP BY 1, 2, 3)
            INSERT INTO report_bucket_delta (scope, grain, bucket, customers, repeat_customers, omnichannel_customers)
            SELECT scope, grain, bucket, customers, repeaters, omni FROM changed
            WHERE customers <> 0 OR repeaters <> 0 OR omni <> 0;
        END $$;

        """

    /// After the chain's rows (v7), the same change to each region row the person has in those periods.
    /// The regions' rows of a person's period are found through an index of their own: probing each region's key
    /// made fifty lookups per touchpoint (ten regions, five grains), and a million touchpoints in one statement of the
    /// 10 M benchmark were not done after 17 minutes.
    private static let v8Touchpoints = """
        CREATE INDEX report_customer_bucket_region_person ON report_customer_bucket (profile_id, grain, bucket)
            WHERE scope LIKE 'region:%';
        ALTER FUNCTION report_apply_touchpoints(report_touchpoint_delta[]) RENAME TO report_apply_chain_touchpoints;
        CREATE FUNCTION report_apply_touchpoints(d report_touchpoint_delta[]) RETURNS void LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM report_apply_chain_touchpoints(d);
            WITH e AS (
                SELECT c.grain, c.bucket, x.profile_id, sum(x.sign)::integer AS dt
                FROM unnest(d) AS x CROSS JOIN LATERAL report_chain_buckets(x.day) AS c
                GROUP BY 1, 2, 3 HAVING sum(x.sign) <> 0),
            up AS (
                UPDATE report_customer_bucket AS t SET touchpoints = t.touchpoints + e.dt
                FROM e
                WHERE t.scope LIKE 'region:%' AND t.profile_id = e.profile_id AND t.grain = e.grain AND t.bucket = e.bucket
                RETURNING t.scope, t.grain, t.bucket, t.visits, t.touchpoints, e.dt),
            changed AS (
                SELECT scope, grain, bucket,
                       sum(((visits > 0 AND touchpoints > 0)::integer - (visits > 0 AND touchpoints - dt > 0)::integer)) AS omni
                FROM up GROUP BY 1, 2, 3)
            INSERT INTO report_bucket_delta (scope, grain, bucket, omnichannel_customers)
            SELECT scope, grain, bucket, omni FROM changed WHERE omni <> 0;
        END $$;

        """

    /// The regions' rows and counters from the stores' day rows and the chain's touchpoints already there.
    private static let v8Backfill = """
        INSERT INTO report_customer_bucket (scope, grain, bucket, profile_id, visits, touchpoints)
        SELECT r.scope, r.grain, r.bucket, r.profile_id, r.visits, COALESCE(chain.touchpoints, 0)
        FROM (SELECT 'region:' || s.region AS scope, c.grain, c.bucket, m.profile_id, sum(m.visits)::integer AS visits
              FROM report_customer_bucket m JOIN store s ON s.id = m.scope AND s.region IS NOT NULL
              CROSS JOIN LATERAL report_chain_buckets(m.bucket) AS c
              WHERE m.grain = 'd'
              GROUP BY 1, 2, 3, 4 HAVING sum(m.visits) <> 0) AS r
        LEFT JOIN report_customer_bucket chain
          ON chain.scope = '*' AND chain.grain = r.grain AND chain.bucket = r.bucket AND chain.profile_id = r.profile_id;
        INSERT INTO report_bucket_delta (scope, grain, bucket, customers, repeat_customers, omnichannel_customers)
        SELECT scope, grain, bucket, count(*) FILTER (WHERE visits > 0), count(*) FILTER (WHERE visits > 1),
               count(*) FILTER (WHERE visits > 0 AND touchpoints > 0)
        FROM report_customer_bucket WHERE scope LIKE 'region:%' GROUP BY 1, 2, 3
        """
}
