// Command ordertocash runs a day of trading through the order-to-cash
// integration, offline, on the in-memory simulators: shop orders into the ERP,
// despatches to the courier, tracking back to the shop and the ERP, invoices
// and payments into finance, customers and deals into the CRM, and ERP stock
// back to the shop. The awkward cases of a real week are mixed in. It ends
// with each flow's outcomes, the exceptions still open and a reconciliation
// of the systems.
//
//	go run ./examples/ordertocash                  # 2,000 orders
//	go run ./examples/ordertocash -orders 5000 -faults
//	go run ./examples/ordertocash -shop shopify -orders 300
//	go run ./examples/ordertocash -erp bc -orders 300
//
// With -shop shopify the shop is the Shopify fake (shopifytest) instead of
// the simulator: customers and the merchant act in its admin, and the flows
// reach it through the Shopify connector over HTTP on loopback, paced by its
// rate limit. With -erp bc the ERP is the Business Central fake (bctest): the
// warehouse, goods receipts and the credit controller act in its admin, and
// the flows reach it through the Business Central connector over HTTP on
// loopback. The report's header says where Business Central differs from the
// simulator. The two flags combine.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/junctionhq/junction/examples/ordertocash/o2c"
)

func main() {
	orders := flag.Int("orders", 2000, "orders placed during the day")
	hours := flag.Int("hours", 10, "length of the trading day in hours")
	seed := flag.Uint64("seed", 1, "random seed: the same seed gives the same day")
	faults := flag.Bool("faults", false, "inject transient errors, rate limits, duplicated and reordered events in every system")
	verbose := flag.Bool("v", false, "log every pass and parked change")
	shop := flag.String("shop", o2c.OnMemshop, "the shop's platform: memshop (the in-memory simulator) or shopify (the Shopify fake, through the connector)")
	erp := flag.String("erp", o2c.OnMemerp, "the ERP's platform: memerp (the in-memory simulator) or bc (the Business Central fake, through the connector)")
	workers := flag.Int("workers", 1, "keys each flow applies in parallel; 1 makes a run reproducible")
	flag.Parse()
	cfg := o2c.Config{Seed: *seed, Faults: *faults, Shop: *shop, ERP: *erp, Workers: *workers}
	if err := run(context.Background(), os.Stdout, cfg, *orders, *hours, *verbose); err != nil {
		fmt.Fprintln(os.Stderr, "ordertocash:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, w io.Writer, cfg o2c.Config, orders, hours int, verbose bool) error {
	if verbose {
		cfg.Logger = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	shop, erp, seed, faults := cfg.Shop, cfg.ERP, cfg.Seed, cfg.Faults
	in, err := o2c.New(cfg)
	if err != nil {
		return err
	}
	defer in.Close()
	on := ""
	if shop != "" && shop != o2c.OnMemshop {
		on = ", shop on " + shop
	}
	if erp == o2c.OnBusinessCentral {
		on += ", ERP on Business Central"
	}
	fmt.Fprintf(w, "junction order-to-cash: %d orders over %d hours, seed %d, faults %v%s\n", orders, hours, seed, faults, on)
	start := time.Now()
	story, err := in.Trade(ctx, o2c.Day{Orders: orders, Hours: hours, Progress: func(p o2c.Progress) {
		fmt.Fprintf(w, "  hour %2d/%d: %5d orders placed\n", p.Hour, p.Hours, p.OrdersPlaced)
	}}, seed)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "  end of day: holds released, addresses corrected, parked changes replayed, systems settled\n")
	if err := in.WriteReport(ctx, w, story); err != nil {
		return err
	}
	fmt.Fprintf(w, "\nRan in %.1fs of wall time.\n", time.Since(start).Seconds())
	return nil
}
