-- sysbench_coupon.lua: racebench's coupon-oversell `atomic` transaction at
-- READ COMMITTED, for bench/compare_sysbench.sh:
--   START TRANSACTION;
--   UPDATE coupon SET quantity = quantity - 1 WHERE id = k AND quantity > 0;
--   INSERT INTO coupon_issue (coupon_id, user_token) VALUES (k, t);
--   COMMIT;
-- with k uniform over --keys coupons, prepared statements, one connection
-- per thread. The tables are the ones racebench created (--keep-schema).

sysbench.cmdline.options = {
	keys = {"coupons the threads spread over (racebench --keys)", 100},
}

function thread_init()
	drv = sysbench.sql.driver()
	con = drv:connect()
	con:query("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED")
	st_begin = con:prepare("START TRANSACTION")
	st_commit = con:prepare("COMMIT")
	st_take = con:prepare("UPDATE coupon SET quantity = quantity - 1 WHERE id = ? AND quantity > 0")
	p_take = st_take:bind_create(sysbench.sql.type.BIGINT)
	st_take:bind_param(p_take)
	st_issue = con:prepare("INSERT INTO coupon_issue (coupon_id, user_token) VALUES (?, ?)")
	p_coupon = st_issue:bind_create(sysbench.sql.type.BIGINT)
	p_token = st_issue:bind_create(sysbench.sql.type.BIGINT)
	st_issue:bind_param(p_coupon, p_token)
end

function event()
	local k = sysbench.rand.uniform(0, sysbench.opt.keys - 1)
	st_begin:execute()
	p_take:set(k)
	st_take:execute()
	p_coupon:set(k)
	p_token:set(sysbench.rand.uniform(1, 1000000000))
	st_issue:execute()
	st_commit:execute()
end

function thread_done()
	con:disconnect()
end
