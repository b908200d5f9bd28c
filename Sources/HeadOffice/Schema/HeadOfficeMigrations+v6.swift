extension HeadOfficeMigrations {
    /// v6: the insight aggregates behind the store reports, kept up to date by triggers as rows arrive, so a report
    /// reads a few thousand summary rows instead of scanning visits. Triggers (not the ingest code) maintain them
    /// because every writer of the fact tables (ingest, merges, attribution of anonymous visits, erasure, the
    /// e-commerce import) must keep them exact, and a trigger cannot be forgotten by the next writer.
    ///
    /// Days are UTC days. Counters that many stores' transactions would share (customers per period, chain-wide)
    /// are append-only deltas, summed when read and compacted by `report_compact()`, so concurrent batches of
    /// different stores never wait on one hot row. v4 and v5 belong to other work.
    static let v6 = v6Schema + v6Backfill + v6Triggers + v6Maintenance

    private static let v6Schema = """
        ALTER TABLE visit ADD COLUMN identifier_kind text;
        ALTER TABLE profile ADD COLUMN signup_origin text;
        CREATE INDEX store_event_profile_created ON store_event (lower(payload->>'id')) WHERE type = 'profile.created';
        CREATE INDEX feedback_on_store_at ON feedback (store_id, at);
        CREATE INDEX feedback_on_profile ON feedback (profile_id, at) WHERE profile_id IS NOT NULL;
        CREATE INDEX redemption_on_profile ON redemption (profile_id, at);
        CREATE INDEX ledger_entry_on_store_at ON ledger_entry (store_id, at);
        CREATE INDEX purchase_on_profile_at ON purchase (profile_id, at) WHERE profile_id IS NOT NULL;
        CREATE INDEX profile_on_origin_store ON profile (origin_store_id, created_at) WHERE origin = 'store';
        CREATE INDEX profile_on_phone ON profile (phone) WHERE phone IS NOT NULL;

        CREATE FUNCTION report_day(timestamptz) RETURNS date LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
            $$SELECT ($1 AT TIME ZONE 'UTC')::date$$;
        CREATE FUNCTION report_week(date) RETURNS date LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
            $$SELECT date_trunc('week', $1::timestamp)::date$$;
        CREATE FUNCTION report_month(date) RETURNS date LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
            $$SELECT date_trunc('month', $1::timestamp)::date$$;
        CREATE FUNCTION report_quarter(date) RETURNS date LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
            $$SELECT date_trunc('quarter', $1::timestamp)::date$$;
        CREATE FUNCTION report_year(date) RETURNS date LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
            $$SELECT date_trunc('year', $1::timestamp)::date$$;
        -- The chain's periods a day belongs to, for its own members.
        CREATE FUNCTION report_chain_buckets(date) RETURNS TABLE (grain "char", bucket date) LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
            $$VALUES ('d'::"char", $1), ('w'::"char", report_week($1)), ('m'::"char", report_month($1)),
                     ('q'::"char", report_quarter($1)), ('y'::"char", report_year($1))$$;

        -- Additive figures per store and UTC day: any period, week or month is a sum of these.
        CREATE TABLE report_store_day (
            store_id text NOT NULL,
            day date NOT NULL,
            visits bigint NOT NULL DEFAULT 0,
            identified_visits bigint NOT NULL DEFAULT 0,
            unknown_visits bigint NOT NULL DEFAULT 0,
            converted_visits bigint NOT NULL DEFAULT 0,
            sign_ups bigint NOT NULL DEFAULT 0,
            kiosk_sign_ups bigint NOT NULL DEFAULT 0,
            feedback bigint NOT NULL DEFAULT 0,
            promoters bigint NOT NULL DEFAULT 0,
            passives bigint NOT NULL DEFAULT 0,
            detractors bigint NOT NULL DEFAULT 0,
            points_issued bigint NOT NULL DEFAULT 0,
            points_redeemed bigint NOT NULL DEFAULT 0,
            PRIMARY KEY (store_id, day)
        );
        -- Reports read a run of days for some stores: answered from the index alone once vacuum has seen the pages.
        CREATE INDEX report_store_day_by_day ON report_store_day (day, store_id)
            INCLUDE (visits, identified_visits, unknown_visits, converted_visits, sign_ups, kiosk_sign_ups, promoters, passives,
                     detractors, points_issued, points_redeemed);

        CREATE TABLE report_store_day_kind (
            store_id text NOT NULL,
            day date NOT NULL,
            kind text NOT NULL,
            taps bigint NOT NULL DEFAULT 0,
            PRIMARY KEY (store_id, day, kind)
        );
        CREATE INDEX report_store_day_kind_by_day ON report_store_day_kind (day, store_id) INCLUDE (kind, taps);

        -- Who came: per store and day, and chain-wide ('*') per day, week, month, quarter and year ('d', 'w', 'm', 'q',
        -- 'y'); bucket is the period's first day. A store's longer periods are counted from its days (a few thousand
        -- rows); the chain's have rows of their own, which also count the person's online touchpoints, so that
        -- "seen in store and online" is one row and one lock whichever side arrives first. A row whose visits fell to
        -- 0 (moved to a merge survivor) counts as absent from the store side.
        CREATE TABLE report_customer_bucket (
            scope text NOT NULL,
            grain "char" NOT NULL,
            bucket date NOT NULL,
            profile_id uuid NOT NULL,
            visits integer NOT NULL DEFAULT 0,
            touchpoints integer NOT NULL DEFAULT 0,
            PRIMARY KEY (scope, grain, bucket, profile_id)
        );
        CREATE INDEX report_customer_bucket_online ON report_customer_bucket (profile_id, grain, bucket) WHERE touchpoints > 0;

        -- Distinct, repeat (2 visits or more) and omnichannel (also online) customers per period, as deltas: the sum
        -- is the figure.
        CREATE TABLE report_bucket_delta (
            scope text NOT NULL,
            grain "char" NOT NULL,
            bucket date NOT NULL,
            customers bigint NOT NULL DEFAULT 0,
            repeat_customers bigint NOT NULL DEFAULT 0,
            omnichannel_customers bigint NOT NULL DEFAULT 0
        );
        CREATE INDEX report_bucket_delta_on_bucket ON report_bucket_delta (scope, grain, bucket);

        -- RFM scores as of the last refresh (`report_refresh_segments`), one row per live customer.
        CREATE TABLE customer_segment (
            profile_id uuid PRIMARY KEY REFERENCES profile (id),
            recency_days integer NOT NULL,
            frequency bigint NOT NULL,
            monetary_minor bigint NOT NULL,
            activities bigint NOT NULL,
            r smallint NOT NULL CHECK (r BETWEEN 1 AND 5),
            f smallint NOT NULL CHECK (f BETWEEN 1 AND 5),
            m smallint NOT NULL CHECK (m BETWEEN 1 AND 5),
            segment text NOT NULL,
            churn_risk boolean NOT NULL,
            last_at timestamptz NOT NULL
        );
        CREATE INDEX customer_segment_on_segment ON customer_segment (segment, profile_id);
        CREATE TABLE segment_refresh (
            only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
            refreshed_at timestamptz NOT NULL,
            customers bigint NOT NULL
        );

        -- Head-office managers (the dashboard and the insight API). Only a PBKDF2 hash of the password is kept.
        CREATE TABLE manager (
            id text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9._-]{1,64}$'),
            name text NOT NULL,
            password_hash text NOT NULL,
            created_at timestamptz NOT NULL DEFAULT now(),
            disabled_at timestamptz,
            failed_attempts integer NOT NULL DEFAULT 0,
            locked_until timestamptz
        );
        CREATE TABLE manager_session (
            token_hash text PRIMARY KEY,
            manager_id text NOT NULL REFERENCES manager (id),
            created_at timestamptz NOT NULL DEFAULT now(),
            expires_at timestamptz NOT NULL
        );
        CREATE INDEX manager_session_on_expiry ON manager_session (expires_at);

        -- What a tap was: whether the store knew the person (the ingest says so; other writers are taken at their
        -- word of the profile), and which kind of card it was.
        CREATE FUNCTION report_visit_before_insert() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF NEW.identified_at_tap IS NULL THEN
                NEW.identified_at_tap := NEW.profile_id IS NOT NULL;
            END IF;
            IF NEW.identifier_kind IS NULL THEN
                NEW.identifier_kind := COALESCE((SELECT kind FROM store_identifier WHERE id = NEW.identifier_id), 'unknown');
            END IF;
            RETURN NEW;
        END $$;
        CREATE TRIGGER visit_report_before_insert BEFORE INSERT ON visit FOR EACH ROW EXECUTE FUNCTION report_visit_before_insert();

        -- How the store signed the person up (kiosk, till, import), from the store's own event.
        CREATE FUNCTION report_profile_before_insert() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF NEW.origin = 'store' AND NEW.signup_origin IS NULL THEN
                NEW.signup_origin := (SELECT payload->>'origin' FROM store_event
                                      WHERE type = 'profile.created' AND lower(payload->>'id') = NEW.id::text
                                        AND store_id = NEW.origin_store_id
                                      ORDER BY sequence DESC LIMIT 1);
            END IF;
            RETURN NEW;
        END $$;
        CREATE TRIGGER profile_report_before_insert BEFORE INSERT ON profile FOR EACH ROW EXECUTE FUNCTION report_profile_before_insert();

        -- converted: an unknown tap whose card was since bound to someone who signed up at that same store.
        CREATE TYPE report_visit_delta AS (store_id text, day date, profile_id uuid, kind text, identified boolean, converted boolean, sign integer);

        CREATE FUNCTION report_apply_visits(d report_visit_delta[]) RETURNS void LANGUAGE plpgsql AS $$
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
                SELECT s.scope, s.grain, s.bucket, x.profile_id, sum(x.sign)::integer AS dv
                FROM unnest(d) AS x
                CROSS JOIN LATERAL (SELECT x.store_id, 'd'::"char", x.day
                                    UNION ALL SELECT '*', c.grain, c.bucket FROM report_chain_buckets(x.day) AS c) AS s (scope, grain, bucket)
                WHERE x.profile_id IS NOT NULL
                GROUP BY 1, 2, 3, 4 HAVING sum(x.sign) <> 0),
            up AS (
                INSERT INTO report_customer_bucket AS t (scope, grain, bucket, profile_id, visits)
                SELECT scope, grain, bucket, profile_id, dv FROM e ORDER BY 1, 2, 3, 4
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

        
        CREATE TYPE report_feedback_delta AS (store_id text, day date, score integer, sign integer);
        CREATE FUNCTION report_apply_feedback(d report_feedback_delta[]) RETURNS void LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO report_store_day AS t (store_id, day, feedback, promoters, passives, detractors)
            SELECT store_id, day, sum(sign),
                   COALESCE(sum(sign) FILTER (WHERE score >= 9), 0),
                   COALESCE(sum(sign) FILTER (WHERE score BETWEEN 7 AND 8), 0),
                   COALESCE(sum(sign) FILTER (WHERE score <= 6), 0)
            FROM unnest(d) GROUP BY store_id, day HAVING sum(sign) <> 0 ORDER BY store_id, day
            ON CONFLICT (store_id, day) DO UPDATE SET feedback = t.feedback + excluded.feedback,
                promoters = t.promoters + excluded.promoters, passives = t.passives + excluded.passives,
                detractors = t.detractors + excluded.detractors;
        END $$;

        -- Head office's own entries (no store) belong to no store's report.
        CREATE TYPE report_ledger_delta AS (store_id text, day date, delta bigint, reason text, sign integer);
        CREATE FUNCTION report_apply_ledger(d report_ledger_delta[]) RETURNS void LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO report_store_day AS t (store_id, day, points_issued, points_redeemed)
            SELECT store_id, day,
                   COALESCE(sum(sign * delta) FILTER (WHERE delta > 0), 0),
                   COALESCE(sum(-sign * delta) FILTER (WHERE reason = 'redemption'), 0)
            FROM unnest(d) WHERE store_id IS NOT NULL
            GROUP BY store_id, day
            HAVING COALESCE(sum(sign * delta) FILTER (WHERE delta > 0), 0) <> 0
                OR COALESCE(sum(-sign * delta) FILTER (WHERE reason = 'redemption'), 0) <> 0
            ORDER BY store_id, day
            ON CONFLICT (store_id, day) DO UPDATE SET points_issued = t.points_issued + excluded.points_issued,
                points_redeemed = t.points_redeemed + excluded.points_redeemed;
        END $$;

        -- Sign-ups count where the person signed up: profiles a store created (not e-commerce ones).
        CREATE TYPE report_profile_delta AS (origin text, store_id text, day date, signup_origin text, sign integer);
        CREATE FUNCTION report_apply_profiles(d report_profile_delta[]) RETURNS void LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO report_store_day AS t (store_id, day, sign_ups, kiosk_sign_ups)
            SELECT store_id, day, sum(sign), COALESCE(sum(sign) FILTER (WHERE signup_origin = 'kiosk'), 0)
            FROM unnest(d) WHERE origin = 'store' AND store_id IS NOT NULL
            GROUP BY store_id, day
            HAVING sum(sign) <> 0 OR COALESCE(sum(sign) FILTER (WHERE signup_origin = 'kiosk'), 0) <> 0
            ORDER BY store_id, day
            ON CONFLICT (store_id, day) DO UPDATE SET sign_ups = t.sign_ups + excluded.sign_ups,
                kiosk_sign_ups = t.kiosk_sign_ups + excluded.kiosk_sign_ups;
        END $$;

        CREATE TYPE report_touchpoint_delta AS (profile_id uuid, day date, sign integer);
        CREATE FUNCTION report_apply_touchpoints(d report_touchpoint_delta[]) RETURNS void LANGUAGE plpgsql AS $$
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
                       sum(((up.visits > 0 AND up.touchpoints > 0)::integer - (up.visits > 0 AND up.touchpoints - e.dt > 0)::integer)) AS omni
                FROM up JOIN e USING (grain, bucket, profile_id)
                GROUP BY 1, 2)
            INSERT INTO report_bucket_delta (scope, grain, bucket, omnichannel_customers)
            SELECT '*', grain, bucket, omni FROM changed WHERE omni <> 0;
        END $$;

        """

    /// Rows that predate v6 get the tap facts head office can still tell: tied to someone now, and the card kind.
    private static let v6Backfill = """
        UPDATE visit v SET identified_at_tap = COALESCE(v.identified_at_tap, v.profile_id IS NOT NULL),
               identifier_kind = COALESCE((SELECT kind FROM store_identifier si WHERE si.id = v.identifier_id), 'unknown');
        UPDATE profile p SET signup_origin = (SELECT e.payload->>'origin' FROM store_event e
                                              WHERE e.type = 'profile.created' AND lower(e.payload->>'id') = p.id::text
                                              ORDER BY e.sequence DESC LIMIT 1)
        WHERE p.origin = 'store';

        """

    /// The aggregated tables and, for each, the row values its deltas are made of.
    static let aggregatedTables: [(table: String, name: String, type: String, row: String)] = [
        ("visit", "visits", "report_visit_delta", """
            r.store_id, report_day(r.at), r.profile_id, COALESCE(r.identifier_kind, 'unknown'), COALESCE(r.identified_at_tap, r.profile_id IS NOT NULL),
            NOT COALESCE(r.identified_at_tap, r.profile_id IS NOT NULL) AND r.profile_id IS NOT NULL
                AND EXISTS (SELECT 1 FROM profile p WHERE p.id = r.profile_id AND p.origin_store_id = r.store_id)
            """),
        ("feedback", "feedback", "report_feedback_delta", "r.store_id, report_day(r.at), r.score"),
        ("ledger_entry", "ledger", "report_ledger_delta", "r.store_id, report_day(r.at), r.delta, r.reason"),
        ("profile", "profiles", "report_profile_delta", "r.origin, r.origin_store_id, report_day(r.created_at), r.signup_origin"),
        ("touchpoint", "touchpoints", "report_touchpoint_delta", "r.profile_id, report_day(r.at)"),
    ]

    /// One statement-level trigger per table and operation, all turning the changed rows into signed deltas: an
    /// update is its old rows taken out and its new rows put in, so a merge that moves visits moves their counts.
    private static var v6Triggers: String {
        aggregatedTables.map { table, name, type, row in
            let apply = "report_apply_\(name)"
            return """
                CREATE FUNCTION report_\(name)_changed() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF TG_OP = 'INSERT' THEN
                        PERFORM \(apply)(ARRAY(SELECT ROW(\(row), 1)::\(type) FROM new_rows r));
                    ELSIF TG_OP = 'DELETE' THEN
                        PERFORM \(apply)(ARRAY(SELECT ROW(\(row), -1)::\(type) FROM old_rows r));
                    ELSE
                        PERFORM \(apply)(ARRAY(SELECT ROW(\(row), -1)::\(type) FROM old_rows r
                                              UNION ALL SELECT ROW(\(row), 1)::\(type) FROM new_rows r));
                    END IF;
                    RETURN NULL;
                END $$;
                CREATE TRIGGER \(table)_report_insert AFTER INSERT ON \(table) REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION report_\(name)_changed();
                CREATE TRIGGER \(table)_report_update AFTER UPDATE ON \(table) REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION report_\(name)_changed();
                CREATE TRIGGER \(table)_report_delete AFTER DELETE ON \(table) REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION report_\(name)_changed();

                """
        }.joined()
    }

    private static var v6Maintenance: String {
        let applyAll = aggregatedTables.map { table, name, type, row in
            "    PERFORM report_apply_\(name)(ARRAY(SELECT ROW(\(row), 1)::\(type) FROM \(table) r))"
        }.joined(separator: ";\n    ")
        return """
            -- Adds up every raw row into empty aggregates: the first fill below, and `parcours hq reports rebuild`.
            CREATE FUNCTION report_rebuild() RETURNS void LANGUAGE plpgsql AS $$
            BEGIN
                TRUNCATE report_store_day, report_store_day_kind, report_customer_bucket, report_bucket_delta;
            \(applyAll);
            END $$;

            -- Folds each period's deltas into one row; returns how many rows went. Readers sum whatever rows there are,
            -- so the figures are exact before, during and after.
            CREATE FUNCTION report_compact() RETURNS bigint LANGUAGE plpgsql AS $$
            DECLARE folded bigint;
            BEGIN
                WITH many AS (
                    SELECT scope, grain, bucket FROM report_bucket_delta GROUP BY 1, 2, 3 HAVING count(*) > 1),
                gone AS (
                    DELETE FROM report_bucket_delta d USING many
                    WHERE d.scope = many.scope AND d.grain = many.grain AND d.bucket = many.bucket
                    RETURNING d.scope, d.grain, d.bucket, d.customers, d.repeat_customers, d.omnichannel_customers),
                put AS (
                    INSERT INTO report_bucket_delta (scope, grain, bucket, customers, repeat_customers, omnichannel_customers)
                    SELECT scope, grain, bucket, sum(customers), sum(repeat_customers), sum(omnichannel_customers) FROM gone GROUP BY 1, 2, 3
                    RETURNING 1)
                SELECT (SELECT count(*) FROM gone) - (SELECT count(*) FROM put) INTO folded;
                RETURN folded;
            END $$;

            SELECT report_rebuild()
            """
    }
}
