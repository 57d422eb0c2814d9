//! Go's `fmt.Sprintf` for the verbs templates use (`%s %d %v %q %t %f %e %g %x %X %o %b %c %T %%`),
//! with flags, width and precision, and Go's `%!verb(type=value)` for a value of the wrong type.

use crate::helm::value::{Value, go_float};

pub fn sprintf(format: &str, args: &[Value]) -> String {
    let mut out = String::new();
    let mut chars = format.chars().peekable();
    let mut next_arg = 0;
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut spec = Spec::default();
        while let Some(&f) = chars.peek() {
            match f {
                '-' => spec.minus = true,
                '+' => spec.plus = true,
                '#' => spec.sharp = true,
                ' ' => spec.space = true,
                '0' => spec.zero = true,
                _ => break,
            }
            chars.next();
        }
        spec.width = read_num(&mut chars, args, &mut next_arg);
        if chars.peek() == Some(&'.') {
            chars.next();
            spec.prec = Some(read_num(&mut chars, args, &mut next_arg).unwrap_or(0));
        }
        let Some(verb) = chars.next() else {
            out.push_str("%!(NOVERB)");
            break;
        };
        if verb == '%' {
            out.push('%');
            continue;
        }
        let Some(arg) = args.get(next_arg) else {
            out.push_str(&format!("%!{verb}(MISSING)"));
            continue;
        };
        next_arg += 1;
        let body = format_one(verb, arg, &spec);
        out.push_str(&pad(&body, &spec, matches!(verb, 'd' | 'f' | 'F' | 'e' | 'g' | 'x' | 'X' | 'o' | 'b') && arg_is_number(arg)));
    }
    if next_arg < args.len() {
        let extra: Vec<String> = args[next_arg..].iter().map(|a| format!("{}={}", go_type(a), plain(a))).collect();
        out.push_str(&format!("%!(EXTRA {})", extra.join(", ")));
    }
    out
}

#[derive(Default)]
struct Spec {
    minus: bool,
    plus: bool,
    sharp: bool,
    space: bool,
    zero: bool,
    width: Option<usize>,
    prec: Option<usize>,
}

fn read_num(chars: &mut std::iter::Peekable<std::str::Chars>, args: &[Value], next: &mut usize) -> Option<usize> {
    if chars.peek() == Some(&'*') {
        chars.next();
        let v = args.get(*next).and_then(|a| if let Value::Int(i) = a { Some(*i as usize) } else { None });
        *next += 1;
        return v;
    }
    let mut n: Option<usize> = None;
    while let Some(d) = chars.peek().and_then(|c| c.to_digit(10)) {
        n = Some(n.unwrap_or(0).saturating_mul(10).saturating_add(d as usize).min(10_000));
        chars.next();
    }
    n
}

fn arg_is_number(v: &Value) -> bool {
    matches!(v, Value::Int(_) | Value::Float(_))
}

fn pad(s: &str, spec: &Spec, numeric: bool) -> String {
    let Some(w) = spec.width else { return s.to_string() };
    let n = s.chars().count();
    if n >= w {
        return s.to_string();
    }
    let fill = w - n;
    if spec.minus {
        format!("{s}{}", " ".repeat(fill))
    } else if spec.zero && numeric {
        let (sign, digits) = if s.starts_with(['-', '+']) { s.split_at(1) } else { ("", s) };
        format!("{sign}{}{digits}", "0".repeat(fill))
    } else {
        format!("{}{s}", " ".repeat(fill))
    }
}

fn go_type(v: &Value) -> &'static str {
    match v {
        Value::Int(_) => "int64",
        other => other.type_name(),
    }
}

/// `%v` inside printf: nil is `<nil>`.
fn plain(v: &Value) -> String {
    match v {
        Value::Nil => "<nil>".into(),
        v => v.to_go_string(),
    }
}

fn bad(verb: char, v: &Value) -> String {
    match v {
        Value::Nil => format!("%!{verb}(<nil>)"),
        _ => format!("%!{verb}({}={})", go_type(v), plain(v)),
    }
}

fn sign(s: String, spec: &Spec) -> String {
    if !s.starts_with('-') {
        if spec.plus {
            return format!("+{s}");
        }
        if spec.space {
            return format!(" {s}");
        }
    }
    s
}

fn format_one(verb: char, v: &Value, spec: &Spec) -> String {
    match verb {
        'v' => match (v, spec.sharp) {
            (Value::Str(s), true) => quote(s),
            (Value::Float(f), _) => sign(go_float(*f, 6), spec),
            _ => plain(v),
        },
        's' => match v {
            Value::Str(s) => truncate(s, spec.prec),
            Value::List(l) => format!("[{}]", l.iter().map(|x| format_one('s', x, spec)).collect::<Vec<_>>().join(" ")),
            Value::Dict(_) | Value::Object(_) => plain(v),
            _ => bad('s', v),
        },
        'q' => match v {
            Value::Str(s) => quote(s),
            Value::Int(i) => char::from_u32(*i as u32).map(|c| format!("'{c}'")).unwrap_or_else(|| bad('q', v)),
            Value::List(l) => format!("[{}]", l.iter().map(|x| format_one('q', x, spec)).collect::<Vec<_>>().join(" ")),
            _ => bad('q', v),
        },
        't' => match v {
            Value::Bool(b) => b.to_string(),
            _ => bad('t', v),
        },
        'd' => match v {
            Value::Int(i) => sign(i.to_string(), spec),
            Value::List(l) => format!("[{}]", l.iter().map(|x| format_one('d', x, spec)).collect::<Vec<_>>().join(" ")),
            _ => bad('d', v),
        },
        'x' | 'X' | 'o' | 'b' => {
            let s = match v {
                Value::Int(i) => {
                    let (neg, u) = (*i < 0, i.unsigned_abs());
                    let body = match verb {
                        'x' => format!("{u:x}"),
                        'X' => format!("{u:X}"),
                        'o' => format!("{u:o}"),
                        _ => format!("{u:b}"),
                    };
                    let prefix = if spec.sharp { match verb { 'x' => "0x", 'X' => "0X", 'o' => "0", _ => "" } } else { "" };
                    format!("{}{prefix}{body}", if neg { "-" } else { "" })
                }
                Value::Str(s) if verb == 'x' => s.bytes().map(|b| format!("{b:02x}")).collect(),
                Value::Str(s) if verb == 'X' => s.bytes().map(|b| format!("{b:02X}")).collect(),
                _ => return bad(verb, v),
            };
            sign(s, spec)
        }
        'c' => match v {
            Value::Int(i) => char::from_u32(*i as u32).map(String::from).unwrap_or_else(|| "\u{fffd}".into()),
            _ => bad('c', v),
        },
        'f' | 'F' | 'e' | 'E' | 'g' | 'G' => {
            let f = match v {
                Value::Float(f) => *f,
                _ => return bad(verb, v),
            };
            let s = match verb {
                'f' | 'F' => format!("{:.*}", spec.prec.unwrap_or(6), f),
                'e' | 'E' => {
                    let s = exp_form(&format!("{:.*e}", spec.prec.unwrap_or(6), f));
                    if verb == 'E' { s.to_uppercase() } else { s }
                }
                _ => match spec.prec {
                    None => go_float(f, 6),
                    Some(p) => {
                        let p = p.max(1);
                        let e = format!("{:.*e}", p - 1, f);
                        let exp: i32 = e.split_once('e').map(|x| x.1.parse().unwrap_or(0)).unwrap_or(0);
                        if exp < -4 || exp >= p as i32 {
                            let (m, _) = e.split_once('e').unwrap_or((&e, ""));
                            let m = if m.contains('.') { m.trim_end_matches('0').trim_end_matches('.') } else { m };
                            exp_form(&format!("{m}e{exp}"))
                        } else {
                            let s = format!("{:.*}", (p as i32 - 1 - exp).max(0) as usize, f);
                            if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_string() } else { s }
                        }
                    }
                },
            };
            sign(s, spec)
        }
        'T' => go_type(v).to_string(),
        _ => format!("%!{verb}({}={})", go_type(v), plain(v)),
    }
}

/// Rust's `1.5e3` as Go's `1.5e+03`.
fn exp_form(s: &str) -> String {
    match s.split_once('e') {
        Some((m, e)) => {
            let (sg, d) = match e.strip_prefix('-') {
                Some(d) => ('-', d),
                None => ('+', e.trim_start_matches('+')),
            };
            format!("{m}e{sg}{d:0>2}")
        }
        None => s.to_string(),
    }
}

fn truncate(s: &str, prec: Option<usize>) -> String {
    match prec {
        Some(p) => s.chars().take(p).collect(),
        None => s.to_string(),
    }
}

/// Go's `strconv.Quote`.
pub fn quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\x07' => out.push_str("\\a"),
            '\x08' => out.push_str("\\b"),
            '\x0c' => out.push_str("\\f"),
            '\x0b' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => out.push_str(&format!("\\x{:02x}", c as u32)),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
