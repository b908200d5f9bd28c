extension HeadOfficeMigrations {
    /// v9: member rows of each store for every grain, like the regions' (v8) and the chain's. Until v8 a store had
    /// day rows only, and its weeks, months and year were counted from them at read time, with a lookup of the
    /// chain's row per person for "also seen online": one store's year by month took 770 ms at the benchmark's
    /// 10 M visits. With rows and counters of its own, a store reads a handful of counters, as regions do.
    ///
    /// A store's rows now carry the person's online touchpoints of the period too (the chain row's count, as a
    /// region row does), so its omnichannel figure is a counter at every grain, the day included. The two writers
    /// keep that copy exact under concurrency as v8 explains: each changes the chain row first, and its lock orders
    /// them.
    ///
    /// The touchpoints' step finds a person's store and region rows through one partial index (v8's covered only
    /// the regions').
    static let v9 = v9Index + v9Visits + v9Touchpoints + v9Backfill

    private static let v9Index = """
        DROP INDEX report_customer_bucket_region_person;
        CREATE INDEX report_customer_bucket_person ON report_customer_bucket (profile_id, grain, bucket) WHERE scope <> '*';

        """

    /// v6's step keeps the stores' day tables and the chain's rows; the stores' member rows move to the scoped
    /// step, which writes them with the regions' from the chain rows just upserted.
    private static let v9Visits = """
        ALTER FUNCTION report_apply_store_and_chain_visits(report_visit_delta[]) RENAME TO report_apply_chain_visits;
        CREATE OR REPLACE FUNCTION report_apply_chain_visits(d report_visit_delta[]) RETURNS void LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO report_store_day AS t (store_id, day, visits, identified_visits, unknown_visits, converted_visits)
            SELECT store_id, day, sum(sign),
                   COALESCE(sum(sign) FILTER (WHERE identified), 0),
                   COALESCE(sum(sign) FILTER (WHERE NOT identified), 0),
                   COALESCE(sum(sign) FILTER (WHERE converted), 0)
            FROM unnest(d) GROUP BY store_id, day ORDER BY store_id, day
            ON CONFLICT (store_id, day) DO UPDATE SET visits = t.visits + excluded.visits,
                identified_visits = t.identified_visits + excluded.identified_visits,
                unknown_visits = t.unknown_visits + excluded.unknown_visits,
                converted_visits = t.converted_visits + excluded.converted_visits;

            INSERT INTO report_store_day_kind AS t (store_id, day, kind, taps)
            SELECT store_id, day, kind, sum(sign) FROM unnest(d)
            GROUP BY store_id, day, kind HAVING sum(sign) <> 0 ORDER BY store_id, day, kind
            ON CONFLICT (store_id, day, kind) DO UPDATE SET taps = t.taps + excluded.taps;

            WITH e AS (
                SELECT c.grain, c.bucket, x.profile_id, sum(x.sign)::integer AS dv
                FROM unnest(d) AS x CROSS JOIN LATERAL report_chain_buckets(x.day) AS c
                WHERE x.profile_id IS NOT NULL
                GROUP BY 1, 2, 3 HAVING sum(x.sign) <> 0),
            up AS (
                INSERT INTO report_customer_bucket AS t (scope, grain, bucket, profile_id, visits)
                SELECT '*', grain, bucket, profile_id, dv FROM e ORDER BY 2, 3, 4
                ON CONFLICT (scope, grain, bucket, profile_id) DO UPDATE SET visits = t.visits + excluded.visits
                RETURNING t.grain, t.bucket, t.profile_id, t.visits, t.touchpoints),
            changed AS (
                SELECT up.grain, up.bucket,
                       sum((up.visits > 0)::integer - (up.visits - e.dv > 0)::integer) AS customers,
                       sum((up.visits > 1)::integer - (up.visits - e.dv > 1)::integer) AS repeaters,
                       sum(((up.visits > 0 AND up.touchpoints > 0)::integer - (up.visits - e.dv > 0 AND up.touchpoints > 0)::integer)) AS omni
                FROM up JOIN e USING (grain, bucket, profile_id)
                GROUP BY 1, 2)
            INSERT INTO report_bucket_delta (scope, grain, bucket, customers, repeat_customers, omnichannel_customers)
            SELECT '*', grain, bucket, customers, repeaters, omni FROM changed
            WHERE customers <> 0 OR repeaters <> 0 OR omni <> 0;
        END $$;
        CREATE OR REPLACE FUNCTION report_apply_visits(d report_visit_delta[]) RETURNS void LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM report_apply_chain_visits(d);
            WITH e AS (
                SELECT sc.scope, c.grain, c.bucket, x.profile_id, sum(x.sign)::integer AS dv
                FROM unnest(d) AS x LEFT JOIN store s ON s.id = x.store_id
                CROSS JOIN LATERAL (VALUES (x.store_id), ('region:' || s.region)) AS sc (scope)
                CROSS JOIN LATERAL report_chain_buckets(x.day) AS c
                WHERE x.profile_id IS NOT NULL AND sc.scope IS NOT NULL
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

    /// After the chain's rows (v7), the same change to every store and region row the person has in those periods.
    private static let v9Touchpoints = """
        CREATE OR REPLACE FUNCTION report_apply_touchpoints(d report_touchpoint_delta[]) RETURNS void LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM report_apply_chain_touchpoints(d);
            WITH e AS (
                SELECT c.grain, c.bucket, x.profile_id, sum(x.sign)::integer AS dt
                FROM unnest(d) AS x CROSS JOIN LATERAL report_chain_buckets(x.day) AS c
                GROUP BY 1, 2, 3 HAVING sum(x.sign) <> 0),
            up AS (
                UPDATE report_customer_bucket AS t SET touchpoints = t.touchpoints + e.dt
                FROM e
                WHERE t.scope <> '*' AND t.profile_id = e.profile_id AND t.grain = e.grain AND t.bucket = e.bucket
                RETURNING t.scope, t.grain, t.bucket, t.visits, t.touchpoints, e.dt),
            changed AS (
                SELECT scope, grain, bucket,
                       sum(((visits > 0 AND touchpoints > 0)::integer - (visits > 0 AND touchpoints - dt > 0)::integer)) AS omni
                FROM up GROUP BY 1, 2, 3)
            INSERT INTO report_bucket_delta (scope, grain, bucket, omnichannel_customers)
            SELECT scope, grain, bucket, omni FROM changed WHERE omni <> 0;
        END $$;

        """

    /// The stores' day rows get the chain's touchpoints, their longer periods are summed from the days, and their
    /// counters are counted anew from the rows.
    private static let v9Backfill = """
        UPDATE report_customer_bucket m SET touchpoints = chain.touchpoints
        FROM report_customer_bucket chain
        WHERE m.grain = 'd' AND m.scope <> '*' AND m.scope NOT LIKE 'region:%'
          AND chain.scope = '*' AND chain.grain = 'd' AND chain.bucket = m.bucket AND chain.profile_id = m.profile_id
          AND chain.touchpoints <> 0;
        INSERT INTO report_customer_bucket (scope, grain, bucket, profile_id, visits, touchpoints)
        SELECT r.scope, r.grain, r.bucket, r.profile_id, r.visits, COALESCE(chain.touchpoints, 0)
        FROM (SELECT m.scope, c.grain, c.bucket, m.profile_id, sum(m.visits)::integer AS visits
              FROM report_customer_bucket m CROSS JOIN LATERAL report_chain_buckets(m.bucket) AS c
              WHERE m.grain = 'd' AND c.grain <> 'd' AND m.scope <> '*' AND m.scope NOT LIKE 'region:%'
              GROUP BY 1, 2, 3, 4 HAVING sum(m.visits) <> 0) AS r
        LEFT JOIN report_customer_bucket chain
          ON chain.scope = '*' AND chain.grain = r.grain AND chain.bucket = r.bucket AND chain.profile_id = r.profile_id;
        DELETE FROM report_bucket_delta WHERE scope <> '*' AND scope NOT LIKE 'region:%';
        INSERT INTO report_bucket_delta (scope, grain, bucket, customers, repeat_customers, omnichannel_customers)
        SELECT scope, grain, bucket, count(*) FILTER (WHERE visits > 0), count(*) FILTER (WHERE visits > 1),
               count(*) FILTER (WHERE visits > 0 AND touchpoints > 0)
        FROM report_customer_bucket WHERE scope <> '*' AND scope NOT LIKE 'region:%' GROUP BY 1, 2, 3
        """
}
