//! A deterministic force-directed layout (Fruchterman–Reingold) of the network.
//!
//! Deterministic across machines, not only across runs: it starts from a grid (no random
//! numbers, no trigonometry) and uses only `+ - * /` and `sqrt`, which IEEE 754 rounds
//! exactly, in a fixed order. Positions are rounded when written.

/// Width and height of the drawing area, in SVG user units.
pub const WIDTH: f64 = 1000.0;
pub const HEIGHT: f64 = 640.0;
const ITERATIONS: usize = 300;
/// Pull towards the centre, so that separate groups stay close.
const GRAVITY: f64 = 0.01;

/// A node's position and radius.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Placed {
    pub x: f64,
    pub y: f64,
    pub r: f64,
}

/// Lays out `sizes.len()` nodes (`sizes`: articles per node, for the radius; `groups`: a group
/// number per node, nodes of a group start side by side) joined by `edges` (a, b, weight).
pub fn layout(sizes: &[usize], groups: &[usize], edges: &[(usize, usize, usize)]) -> Vec<Placed> {
    let n = sizes.len();
    if n == 0 {
        return Vec::new();
    }
    let max = sizes.iter().copied().max().unwrap_or(1).max(1) as f64;
    let radius = |s: usize| 4.0 + 16.0 * (s as f64 / max).sqrt();

    // Start on a grid, nodes ordered by group then rank, so that each group starts together.
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by_key(|&i| (groups.get(i).copied().unwrap_or(0), i));
    let cols = ((n as f64).sqrt().ceil() as usize).max(1);
    let rows = n.div_ceil(cols);
    let mut pos = vec![(0.0_f64, 0.0_f64); n];
    for (k, &i) in order.iter().enumerate() {
        let (c, r) = (k % cols, k / cols);
        // Offset odd rows by half a cell so that straight rows do not stay aligned.
        let shift = if r % 2 == 1 { 0.5 } else { 0.0 };
        if let Some(p) = pos.get_mut(i) {
            *p = (
                (c as f64 + 0.5 + shift) / cols as f64 * WIDTH - WIDTH / 2.0,
                (r as f64 + 0.5) / rows.max(1) as f64 * HEIGHT - HEIGHT / 2.0,
            );
        }
    }

    let area = WIDTH * HEIGHT;
    let k = (area / n as f64).sqrt() * 0.75;
    let max_weight = edges.iter().map(|e| e.2).max().unwrap_or(1).max(1) as f64;
    let mut disp = vec![(0.0_f64, 0.0_f64); n];
    for it in 0..ITERATIONS {
        let temperature = WIDTH / 10.0 * (1.0 - it as f64 / ITERATIONS as f64) + 0.5;
        for d in disp.iter_mut() {
            *d = (0.0, 0.0);
        }
        // Repulsion between every pair.
        for i in 0..n {
            for j in (i + 1)..n {
                let (Some(&(xi, yi)), Some(&(xj, yj))) = (pos.get(i), pos.get(j)) else {
                    continue;
                };
                let (mut dx, mut dy) = (xi - xj, yi - yj);
                let mut d2 = dx * dx + dy * dy;
                if d2 < 1e-6 {
                    // Coincident nodes: push them apart along a fixed direction.
                    dx = 0.1 * (1 + i % 3) as f64;
                    dy = 0.1 * (1 + j % 3) as f64;
                    d2 = dx * dx + dy * dy;
                }
                let f = k * k / d2; // (k²/d) along (dx, dy)/d
                if let Some(a) = disp.get_mut(i) {
                    a.0 += dx * f;
                    a.1 += dy * f;
                }
                if let Some(b) = disp.get_mut(j) {
                    b.0 -= dx * f;
                    b.1 -= dy * f;
                }
            }
        }
        // Attraction along the edges, stronger for pairs seen in more articles.
        for &(a, b, w) in edges {
            let (Some(&(xa, ya)), Some(&(xb, yb))) = (pos.get(a), pos.get(b)) else {
                continue;
            };
            let (dx, dy) = (xa - xb, ya - yb);
            let d = (dx * dx + dy * dy).sqrt();
            let f = d / k * (0.5 + (w as f64 / max_weight).sqrt()); // (d²/k) along (dx, dy)/d
            if let Some(p) = disp.get_mut(a) {
                p.0 -= dx * f;
                p.1 -= dy * f;
            }
            if let Some(p) = disp.get_mut(b) {
                p.0 += dx * f;
                p.1 += dy * f;
            }
        }
        // Gravity keeps unconnected parts on the page.
        for (p, d) in pos.iter_mut().zip(disp.iter_mut()) {
            d.0 -= p.0 * GRAVITY * k;
            d.1 -= p.1 * GRAVITY * k;
            let len = (d.0 * d.0 + d.1 * d.1).sqrt();
            if len > 0.0 {
                let step = len.min(temperature);
                p.0 += d.0 / len * step;
                p.1 += d.1 / len * step;
            }
        }
    }

    // Fit into the drawing area (each axis on its own: the drawing is wider than tall), with
    // room for the largest circle and a label.
    // Labels are centred under their circle: more room left and right.
    let (margin_x, margin_y) = (90.0, 30.0);
    let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for &(x, y) in &pos {
        x0 = x0.min(x);
        x1 = x1.max(x);
        y0 = y0.min(y);
        y1 = y1.max(y);
    }
    let (w, h) = ((x1 - x0).max(1.0), (y1 - y0).max(1.0));
    let (sx, sy) = ((WIDTH - 2.0 * margin_x) / w, (HEIGHT - 2.0 * margin_y) / h);
    // Do not stretch one axis more than twice the other.
    let (sx, sy) = (sx.min(sy * 2.0), sy.min(sx * 2.0));
    let (cx, cy) = ((x0 + x1) / 2.0, (y0 + y1) / 2.0);
    pos.iter()
        .zip(sizes)
        .map(|(&(x, y), &s)| Placed {
            x: round1(WIDTH / 2.0 + (x - cx) * sx),
            y: round1(HEIGHT / 2.0 + (y - cy) * sy),
            r: round1(radius(s)),
        })
        .collect()
}

/// Rounds to one decimal.
fn round1(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_layout_is_inside_the_area_and_repeatable() {
        let sizes = [9, 5, 4, 3, 3, 1, 1];
        let groups = [0, 1, 0, 2, 1, 3, 3];
        let edges = [(0, 1, 4), (0, 2, 2), (1, 3, 1), (5, 6, 1)];
        let a = layout(&sizes, &groups, &edges);
        assert_eq!(a.len(), sizes.len());
        for p in &a {
            assert!(
                p.x >= 0.0 && p.x <= WIDTH && p.y >= 0.0 && p.y <= HEIGHT,
                "{p:?}"
            );
        }
        assert!(a[0].r > a[6].r);
        assert_eq!(layout(&sizes, &groups, &edges), a);
        // Connected nodes end closer than the average pair.
        let d = |i: usize, j: usize| ((a[i].x - a[j].x).powi(2) + (a[i].y - a[j].y).powi(2)).sqrt();
        let mut all = 0.0;
        let mut count = 0.0;
        for i in 0..a.len() {
            for j in i + 1..a.len() {
                all += d(i, j);
                count += 1.0;
            }
        }
        assert!(d(0, 1) < all / count, "{} vs {}", d(0, 1), all / count);
        assert!(layout(&[], &[], &[]).is_empty());
        assert_eq!(layout(&[1], &[0], &[]).len(), 1);
    }
}
