"""Errors read as kubectl 1.32 prints them, and a failed command changes nothing."""

from __future__ import annotations


def test_unknown_command_is_worded_like_cobra(cluster, kc):
    """An unknown verb names itself and suggests the near ones."""
    error = kc.fails(cluster, "kubectl gti pods")
    assert error.startswith('Error: unknown command "gti" for "kubectl"')
    assert "Did you mean this?\n\tget" in error


def test_unknown_flag_is_worded_like_pflag(cluster, kc):
    """`--bogus` is named, with kubectl's pointer to the command's help."""
    error = kc.fails(cluster, "kubectl get pods --bogus")
    assert error == "Error: unknown flag: --bogus\nSee 'kubectl get --help' for usage."


def test_unknown_shorthand_flag(cluster, kc):
    """An unknown one-letter flag is named with the word it came in."""
    assert kc.fails(cluster, "kubectl get pods -x").startswith(
        "Error: unknown shorthand flag: 'x' in -x"
    )


def test_a_flag_missing_its_value(cluster, kc):
    """`-n` at the end of the line needs an argument."""
    assert kc.fails(cluster, "kubectl get pods -n").startswith(
        "Error: flag needs an argument: 'n' in -n"
    )


def test_a_non_numeric_count(cluster, kc):
    """`--replicas=x` fails as strconv.ParseInt fails."""
    error = kc.fails(cluster, "kubectl scale deployment/coredns --replicas=x")
    assert error.startswith(
        'Error: invalid argument "x" for "--replicas" flag: strconv.ParseInt:'
        ' parsing "x": invalid syntax'
    )


def test_missing_objects_are_not_found_from_the_server(cluster, kc):
    """Reading or deleting a missing object is the API server's NotFound."""
    assert (
        kc.fails(cluster, "kubectl get pod nope")
        == 'Error from server (NotFound): pods "nope" not found'
    )
    assert (
        kc.fails(cluster, "kubectl delete deployment nope")
        == 'Error from server (NotFound): deployments.apps "nope" not found'
    )


def test_unknown_resource_types(cluster, kc):
    """A type the server does not serve is named as kubectl names it."""
    assert (
        kc.fails(cluster, "kubectl get widgets")
        == 'error: the server doesn\'t have a resource type "widgets"'
    )


def test_creating_twice_is_already_exists(cluster, kc):
    """A second `create deployment` with the same name fails as AlreadyExists."""
    kc.ok(cluster, "kubectl create deployment web --image=nginx")
    error = kc.fails(cluster, "kubectl create deployment web --image=nginx")
    assert error == (
        'Error from server (AlreadyExists): deployments.apps "web" already exists'
    )


def test_required_flags(cluster, kc):
    """create deployment without --image, scale without --replicas."""
    assert kc.fails(cluster, "kubectl create deployment web") == (
        'error: required flag(s) "image" not set'
    )
    assert kc.fails(cluster, "kubectl scale deployment/web") == (
        'error: required flag(s) "replicas" not set'
    )


def test_get_without_a_type(cluster, kc):
    """`kubectl get` alone says a type is required, as kubectl does."""
    assert kc.fails(cluster, "kubectl get").startswith(
        "You must specify the type of resource to get."
    )


def test_a_failed_command_is_not_a_step(cluster, kc):
    """An error leaves the step number and the store as they were."""
    step, revision = cluster.step_no, cluster.store.revision
    kc.fails(cluster, "kubectl scale deployment/nope --replicas=2")
    assert (cluster.step_no, cluster.store.revision) == (step, revision)


def test_a_read_is_not_a_step(cluster, kc):
    """get, describe and logs never become steps."""
    step = cluster.step_no
    kc.ok(cluster, "kubectl get pods -A")
    kc.ok(cluster, "kubectl describe node node-1")
    assert cluster.step_no == step


def test_the_kubectl_word_is_optional(cluster):
    """The console may send `get pods` without the leading `kubectl`."""
    from simulation import kubectl

    assert kubectl.run(cluster, "get nodes").output.startswith("NAME")


def test_a_name_cannot_be_fetched_across_all_namespaces(cluster, kc):
    assert kc.fails(cluster, "kubectl get pod etcd-control-plane -A") == (
        "error: a resource cannot be retrieved by name across all namespaces"
    )
