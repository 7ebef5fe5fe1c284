//! The crisis layer's name grammar, in one place: the variables a predicate may read and the
//! parameters an effect may change (docs/crisis.md, "Variables" and "Parameters"). Parsing only
//! splits a name into its kind and ids; the compiler (`compile::Names`) resolves the ids to
//! indices, and the loader (`scenario::load::crisis_refs`) checks that they exist and reports
//! each unknown one at its key path with a did-you-mean.

/// A variable a predicate may read, with the ids it names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum VarName<'a> {
    Cohesion,
    Withdrawals,
    Pressure,
    Threat,
    /// `day`: days since `as_of`
    Day,
    /// `disabled.<id>`: 1 if the element is switched off (any id; not checked)
    Disabled(&'a str),
    Position(&'a str, &'a str),
    Salience(&'a str, &'a str),
    Capability(&'a str),
    /// `params.<name>`
    Param(&'a str),
    /// `alignment.<ally>`
    Alignment(&'a str),
    Issue(&'a str),
    IssueMean(&'a str),
    /// `option.<id>.taken`
    Taken(&'a str),
    /// `option.<id>.day`
    OptionDay(&'a str),
}

/// A parameter an effect may change, with the ids it names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ParamName<'a> {
    Pressure,
    Threat,
    Cohesion,
    Position(&'a str, &'a str),
    Salience(&'a str, &'a str),
    Capability(&'a str),
    /// `lean.<ally>`
    Lean(&'a str),
    /// `alignment.<ally>`
    Alignment(&'a str),
    /// `withdraw.<ally>`
    Withdraw(&'a str),
    /// `option.<id>.available`
    Available(&'a str),
    /// `option.<id>.propensity`
    Propensity(&'a str),
}

fn after<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    s.strip_prefix(prefix)?.strip_prefix('.')
}

/// `<actor>.<issue>`
fn slot(rest: &str) -> Option<(&str, &str)> {
    rest.split_once('.')
}

/// Parse a variable name; `None` if it is not of the grammar.
pub(crate) fn var(name: &str) -> Option<VarName<'_>> {
    use VarName as V;
    Some(match name {
        "cohesion" => V::Cohesion,
        "withdrawals" => V::Withdrawals,
        "pressure" => V::Pressure,
        "threat" => V::Threat,
        "day" => V::Day,
        _ => {
            if let Some(r) = after(name, "position") {
                let (a, k) = slot(r)?;
                V::Position(a, k)
            } else if let Some(r) = after(name, "salience") {
                let (a, k) = slot(r)?;
                V::Salience(a, k)
            } else if let Some(r) = after(name, "capability") {
                V::Capability(r)
            } else if let Some(r) = after(name, "alignment") {
                V::Alignment(r)
            } else if let Some(r) = after(name, "params") {
                V::Param(r)
            } else if let Some(r) = after(name, "disabled") {
                V::Disabled(r)
            } else if let Some(r) = after(name, "issue") {
                match r.strip_suffix(".mean") {
                    Some(k) => V::IssueMean(k),
                    None => V::Issue(r),
                }
            } else if let Some(r) = after(name, "option") {
                if let Some(o) = r.strip_suffix(".taken") {
                    V::Taken(o)
                } else {
                    V::OptionDay(r.strip_suffix(".day")?)
                }
            } else {
                return None;
            }
        }
    })
}

/// Parse a parameter name; `None` if it is not of the grammar.
pub(crate) fn param(name: &str) -> Option<ParamName<'_>> {
    use ParamName as P;
    Some(match name {
        "pressure" => P::Pressure,
        "threat" => P::Threat,
        "cohesion" => P::Cohesion,
        _ => {
            if let Some(r) = after(name, "position") {
                let (a, k) = slot(r)?;
                P::Position(a, k)
            } else if let Some(r) = after(name, "salience") {
                let (a, k) = slot(r)?;
                P::Salience(a, k)
            } else if let Some(r) = after(name, "capability") {
                P::Capability(r)
            } else if let Some(r) = after(name, "lean") {
                P::Lean(r)
            } else if let Some(r) = after(name, "alignment") {
                P::Alignment(r)
            } else if let Some(r) = after(name, "withdraw") {
                P::Withdraw(r)
            } else if let Some(r) = after(name, "option") {
                if let Some(o) = r.strip_suffix(".available") {
                    P::Available(o)
                } else {
                    P::Propensity(r.strip_suffix(".propensity")?)
                }
            } else {
                return None;
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_grammar_splits_kinds_and_ids() {
        assert_eq!(var("position.us.x"), Some(VarName::Position("us", "x")));
        assert_eq!(var("position.us"), None);
        assert_eq!(var("issue.x.mean"), Some(VarName::IssueMean("x")));
        assert_eq!(var("issue.x"), Some(VarName::Issue("x")));
        assert_eq!(var("option.inv.day"), Some(VarName::OptionDay("inv")));
        assert_eq!(var("option.inv.orders"), None);
        assert_eq!(var("params.deal"), Some(VarName::Param("deal")));
        assert_eq!(
            var("disabled.gate.jcs"),
            Some(VarName::Disabled("gate.jcs"))
        );
        assert_eq!(var("cohesionn"), None);
        assert_eq!(
            param("option.inv.propensity"),
            Some(ParamName::Propensity("inv"))
        );
        assert_eq!(param("option.inv.taken"), None);
        assert_eq!(param("withdraw.uk"), Some(ParamName::Withdraw("uk")));
        assert_eq!(param("day"), None);
    }
}
