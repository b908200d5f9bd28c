extension HeadOfficeMigrations {
    /// v7: month roll-ups of the per-store-day aggregates, so a report by month, quarter or year sums one row per
    /// store and month instead of thirty. The chain's whole year by month summed 365 × 200 store-days of taps by
    /// card kind (578 ms at a fifth of the benchmark's size); from these it sums 12 × 200.
    ///
    /// Triggers on the day tables keep them, so every writer of the day tables (v6's triggers, `report_rebuild()`,
    /// a node still running the previous version during a rolling upgrade) keeps the months exact without knowing
    /// they exist. The roll-ups are append-only deltas, like v6's people counters: a day row is locked by the
    /// statement that changes it, but a month row would be shared by the statements of a whole month, and a
    /// transaction holding one day row while waiting for the month row that another holds, which waits for the
    /// first day row, is a deadlock. Inserting deltas locks nothing; `report_compact()` folds them.
    ///
    /// It also counts, per chain period, the customers seen online (a touchpoint), so that the chain's report can say
    /// how many were seen online only: online minus omnichannel.
    static let v7 = v7Schema + v7Triggers + v7Online + v7Compact + v7Backfill

    /// report_store_day's figure columns, all bigint counters.
    private static let dayFigures = [
        "visits", "identified_visits", "unknown_visits", "converted_visits", "sign_ups", "kiosk_sign_ups", "feedback",
        "promoters", "passives", "detractors", "points_issued", "points_redeemed",
    ]

    private static var v7Schema: String {
        let columns = dayFigures.map { "    \($0) bigint NOT NULL DEFAULT 0" }.joined(separator: ",\n")
        return """
            CREATE TABLE report_store_month (
                store_id text NOT NULL,
                month date NOT NULL,
            \(columns)
            );
            CREATE INDEX report_store_month_on_month ON report_store_month (month, store_id);
            CREATE TABLE report_store_month_kind (
                store_id text NOT NULL,
                month date NOT NULL,
                kind text NOT NULL,
                taps bigint NOT NULL
            );
            CREATE INDEX report_store_month_kind_on_month ON report_store_month_kind (month, store_id);

            """
    }

    /// Each changed day row adds its new figures and takes away its old ones; a TRUNCATE of the days (the start of
    /// `report_rebuild()`) empties the months with them.
    private static var v7Triggers: String {
        let sums = dayFigures.map { "sum(s * \($0))" }.joined(separator: ", ")
        let signed = dayFigures.joined(separator: ", ")
        let nonZero = dayFigures.map { "sum(s * \($0)) <> 0" }.joined(separator: " OR ")
        let list = dayFigures.joined(separator: ", ")
        return """
            CREATE FUNCTION report_store_day_to_month() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP = 'INSERT' THEN
                    INSERT INTO report_store_month (store_id, month, \(list))
                    SELECT store_id, report_month(day), \(sums)
                    FROM (SELECT 1 AS s, store_id, day, \(signed) FROM new_rows) AS c GROUP BY 1, 2 HAVING \(nonZero);
                ELSIF TG_OP = 'DELETE' THEN
                    INSERT INTO report_store_month (store_id, month, \(list))
                    SELECT store_id, report_month(day), \(sums)
                    FROM (SELECT -1 AS s, store_id, day, \(signed) FROM old_rows) AS c GROUP BY 1, 2 HAVING \(nonZero);
                ELSE
                    INSERT INTO report_store_month (store_id, month, \(list))
                    SELECT store_id, report_month(day), \(sums)
                    FROM (SELECT -1 AS s, store_id, day, \(signed) FROM old_rows
                          UNION ALL SELECT 1, store_id, day, \(signed) FROM new_rows) AS c GROUP BY 1, 2 HAVING \(nonZero);
                END IF;
                RETURN NULL;
            END $$;
            CREATE TRIGGER report_store_day_month_insert AFTER INSERT ON report_store_day REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION report_store_day_to_month();
            CREATE TRIGGER report_store_day_month_update AFTER UPDATE ON report_store_day REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION report_store_day_to_month();
            CREATE TRIGGER report_store_day_month_delete AFTER DELETE ON report_store_day REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION report_store_day_to_month();

            CREATE FUNCTION report_store_day_kind_to_month() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP = 'INSERT' THEN
                    INSERT INTO report_store_month_kind (store_id, month, kind, taps)
                    SELECT store_id, report_month(day), kind, sum(taps) FROM new_rows GROUP BY 1, 2, 3 HAVING sum(taps) <> 0;
                ELSIF TG_OP = 'DELETE' THEN
                    INSERT INTO report_store_month_kind (store_id, month, kind, taps)
                    SELECT store_id, report_month(day), kind, -sum(taps) FROM old_rows GROUP BY 1, 2, 3 HAVING sum(taps) <> 0;
                ELSE
                    INSERT INTO report_store_month_kind (store_id, month, kind, taps)
                    SELECT store_id, report_month(day), kind, sum(t) FROM (
                        SELECT store_id, day, kind, -taps AS t FROM old_rows
                        UNION ALL SELECT store_id, day, kind, taps FROM new_rows) AS c
                    GROUP BY 1, 2, 3 HAVING sum(t) <> 0;
                END IF;
                RETURN NULL;
            END $$;
            CREATE TRIGGER report_store_day_kind_month_insert AFTER INSERT ON report_store_day_kind REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION report_store_day_kind_to_month();
            CREATE TRIGGER report_store_day_kind_month_update AFTER UPDATE ON report_store_day_kind REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION report_store_day_kind_to_month();
            CREATE TRIGGER report_store_day_kind_month_delete AFTER DELETE ON report_store_day_kind REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION report_store_day_kind_to_month();

            CREATE FUNCTION report_store_day_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_TABLE_NAME = 'report_store_day' THEN
                    TRUNCATE report_store_month;
                ELSE
                    TRUNCATE report_store_month_kind;
                END IF;
                RETURN NULL;
            END $$;
            CREATE TRIGGER report_store_day_month_truncate AFTER TRUNCATE ON report_store_day FOR EACH STATEMENT EXECUTE FUNCTION report_store_day_truncated();
            CREATE TRIGGER report_store_day_kind_month_truncate AFTER TRUNCATE ON report_store_day_kind FOR EACH STATEMENT EXECUTE FUNCTION report_store_day_truncated();

            """
    }

    /// v6's touchpoint upkeep, which now also counts a person's first touchpoint of each chain period.
    private static let v7Online = """
        ALTER TABLE report_bucket_delta ADD COLUMN online_customers bigint NOT NULL DEFAULT 0;
        CREATE OR REPLACE FUNCTION report_apply_touchpoints(d report_touchpoint_delta[]) RETURNS void LANGUAGE plpgsql AS $$
        BEGIN
            WITH e AS (
                SELECT c.grain, c.bucket, x.profile_id, sum(x.sign)::integer AS dt
                FROM unnest(d) AS x CROSS JOIN LATERAL report_chain_buckets(x.day) AS c
                GROUP BY 1, 2, 3 HAVING sum(x.sign) <> 0),
            up AS (
                INSERT INTO report_customer_bucket AS t (scope, grain, bucket, profile_id, touchpoints)
                SELECT '*', grain, bucket, profile_id, dt FROM e ORDER BY 2, 3, 4
                ON CONFLICT (scope, grain, bucket, profile_id) DO UPDATE SET touchpoints = t.touchpoints + excluded.touchpoints
                RETURNING t.grain, t.bucket, t.profile_id, t.visits, t.touchpoints),
            changed AS (
                SELECT up.grain, up.bucket,
                       sum(((up.visits > 0 AND up.touchpoints > 0)::integer - (up.visits > 0 AND up.touchpoints - e.dt > 0)::integer)) AS omni,
                       sum((up.touchpoints > 0)::integer - (up.touchpoints - e.dt > 0)::integer) AS online
                FROM up JOIN e USING (grain, bucket, profile_id)
                GROUP BY 1, 2)
            INSERT INTO report_bucket_delta (scope, grain, bucket, omnichannel_customers, online_customers)
            SELECT '*', grain, bucket, omni, online FROM changed WHERE omni <> 0 OR online <> 0;
        END $$;

        """

    /// v6's `report_compact()`, which every node calls every minute, now also folds the months' deltas into one row
    /// per store and month (and kind). It returns the rows it removed from all three tables.
    private static var v7Compact: String {
        let list = dayFigures.joined(separator: ", ")
        let sums = dayFigures.map { "sum(\($0))" }.joined(separator: ", ")
        let gone = dayFigures.map { "d.\($0)" }.joined(separator: ", ")
        return """
            CREATE OR REPLACE FUNCTION report_compact() RETURNS bigint LANGUAGE plpgsql AS $$
            DECLARE people bigint; months bigint; kinds bigint;
            BEGIN
                WITH many AS (
                    SELECT scope, grain, bucket FROM report_bucket_delta GROUP BY 1, 2, 3 HAVING count(*) > 1),
                gone AS (
                    DELETE FROM report_bucket_delta d USING many
                    WHERE d.scope = many.scope AND d.grain = many.grain AND d.bucket = many.bucket
                    RETURNING d.scope, d.grain, d.bucket, d.customers, d.repeat_customers, d.omnichannel_customers, d.online_customers),
                put AS (
                    INSERT INTO report_bucket_delta (scope, grain, bucket, customers, repeat_customers, omnichannel_customers, online_customers)
                    SELECT scope, grain, bucket, sum(customers), sum(repeat_customers), sum(omnichannel_customers), sum(online_customers)
                    FROM gone GROUP BY 1, 2, 3
                    RETURNING 1)
                SELECT (SELECT count(*) FROM gone) - (SELECT count(*) FROM put) INTO people;

                WITH many AS (
                    SELECT store_id, month FROM report_store_month GROUP BY 1, 2 HAVING count(*) > 1),
                gone AS (
                    DELETE FROM report_store_month d USING many
                    WHERE d.store_id = many.store_id AND d.month = many.month
                    RETURNING d.store_id, d.month, \(gone)),
                put AS (
                    INSERT INTO report_store_month (store_id, month, \(list))
                    SELECT store_id, month, \(sums) FROM gone GROUP BY 1, 2
                    RETURNING 1)
                SELECT (SELECT count(*) FROM gone) - (SELECT count(*) FROM put) INTO months;

                WITH many AS (
                    SELECT store_id, month, kind FROM report_store_month_kind GROUP BY 1, 2, 3 HAVING count(*) > 1),
                gone AS (
                    DELETE FROM report_store_month_kind d USING many
                    WHERE d.store_id = many.store_id AND d.month = many.month AND d.kind = many.kind
                    RETURNING d.store_id, d.month, d.kind, d.taps),
                put AS (
                    INSERT INTO report_store_month_kind (store_id, month, kind, taps)
                    SELECT store_id, month, kind, sum(taps) FROM gone GROUP BY 1, 2, 3
                    RETURNING 1)
                SELECT (SELECT count(*) FROM gone) - (SELECT count(*) FROM put) INTO kinds;
                RETURN people + months + kinds;
            END $$;

            """
    }

    private static var v7Backfill: String {
        let list = dayFigures.joined(separator: ", ")
        let sums = dayFigures.map { "sum(\($0))" }.joined(separator: ", ")
        return """
            INSERT INTO report_store_month (store_id, month, \(list))
            SELECT store_id, report_month(day), \(sums) FROM report_store_day GROUP BY 1, 2;
            INSERT INTO report_store_month_kind (store_id, month, kind, taps)
            SELECT store_id, report_month(day), kind, sum(taps) FROM report_store_day_kind GROUP BY 1, 2, 3 HAVING sum(taps) <> 0;
            INSERT INTO report_bucket_delta (scope, grain, bucket, online_customers)
            SELECT '*', grain, bucket, count(*) FROM report_customer_bucket WHERE scope = '*' AND touchpoints > 0 GROUP BY 2, 3
            """
    }
}
